"""The open data export: everything a program owns, as a Frictionless Data Package.

tables.py decides, model by model, what is exported and what is left out (and why);
package.py describes each table; writer.py streams the CSV files and datapackage.json
into a zip; services.py audits an export and starts it. docs/export.md says the same
in words.
"""

"""The machine-readable description of the export: datapackage.json.

It follows the Frictionless Data Package standard (https://datapackage.org): one
resource per table, each with its CSV file's path and a Table Schema naming every column,
its type, its title and description, the primary key, and the foreign keys to the other
tables of the package.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.text import slugify

from mend.outcomes.export.tables import (
    BLANK_ON_ROWS,
    BLANK_WHY,
    TABLES,
    Table,
    Variant,
    columns,
    key,
)
from mend.programs.models import Program

# Checked in order: DateTimeField before DateField, its parent class.
_TYPES: tuple[tuple[type[models.Field[Any, Any]], str], ...] = (
    (models.BooleanField, "boolean"),
    (models.AutoField, "integer"),
    (models.BigAutoField, "integer"),
    (models.IntegerField, "integer"),
    (models.DecimalField, "number"),
    (models.FloatField, "number"),
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
    (models.TimeField, "time"),
    (models.CharField, "string"),
    (models.TextField, "string"),
    (models.UUIDField, "string"),
)


def resource_name(label: str) -> str:
    """ "cases.ConsentEntry" -> "cases.consententry" (the standard allows no capitals
    and no underscores)."""
    return label.lower().replace("_", "-")


def column_type(field: models.Field[Any, Any]) -> str:
    if field.is_relation:
        return column_type(field.target_field)  # type: ignore[attr-defined]
    if isinstance(field, models.JSONField):
        default = field.default() if callable(field.default) else field.default
        return "array" if isinstance(default, list) else "object"
    for kind, name in _TYPES:
        if isinstance(field, kind):
            return name
    raise TypeError(f"No Table Schema type for {field!r}: add it to _TYPES.")


def _field(
    model: type[models.Model], field: models.Field[Any, Any], variant: Variant
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": field.attname,
        "type": column_type(field),
        "title": str(field.verbose_name),
    }
    said = [str(field.help_text)] if field.help_text else []
    if variant == Variant.PERSON_FREE and key(model, field) in BLANK_ON_ROWS:
        said.append(BLANK_WHY)
    if said:
        described["description"] = " ".join(said)
    if field.choices:
        described["constraints"] = {"enum": [str(code) for code, _words in field.flatchoices]}
    if isinstance(field, models.DecimalField):
        described["decimalChar"] = "."
    return described


def _foreign_keys(model: type[models.Model], kept: list[models.Field[Any, Any]]) -> list[Any]:
    in_package = {t.label for t in TABLES}
    keys = []
    for field in kept:
        if not field.is_relation:
            continue
        target = field.related_model
        if not isinstance(target, type) or target._meta.label not in in_package:
            continue
        keys.append(
            {
                "fields": [field.attname],
                "reference": {
                    "resource": resource_name(target._meta.label),
                    "fields": [field.target_field.attname],  # type: ignore[attr-defined]
                },
            }
        )
    return keys


def resource(table: Table, variant: Variant) -> dict[str, Any]:
    model = table.model
    kept = columns(model, variant)
    name = resource_name(table.label)
    return {
        "name": name,
        "path": f"data/{name}.csv",
        "title": str(model._meta.verbose_name_plural),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [_field(model, f, variant) for f in kept],
            "primaryKey": [model._meta.pk.attname],
            "foreignKeys": _foreign_keys(model, kept),
        },
    }


def descriptor(program: Program, variant: Variant, created: datetime) -> dict[str, Any]:
    what = "full" if variant == Variant.FULL else "person-free"
    return {
        "name": f"mend-{slugify(program.slug)}-{what}",
        "title": f"{program.name}: data exported from Mend ({what})",
        "description": (
            "Every record the program holds in Mend, one CSV file per table. "
            + (
                "Encrypted fields are decrypted."
                if variant == Variant.FULL
                else "Person-free: no names, contact details, dates of birth or free text."
            )
            + " Secrets (password, token and key hashes) and stored files are never exported."
        ),
        "created": created.isoformat(),
        "resources": [resource(table, variant) for table in TABLES],
    }

"""The agreement's documents as PDF files: each party's copy of an agreement, the letters
that tell each party their case has closed, and the outcome report for the referrer.

Each document is first put together as plain text from an explicit list of fields (never
from a model handed to the page), in its reader's language, then laid out by `pdf`. What
is not on the list cannot reach the page: no one's address, phone or e-mail, no notes.
"""

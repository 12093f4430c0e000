"""Text as a search compares it: lower case, accents and spacing set aside, so that
"gutierrez" finds "Gutiérrez" and "JOSE  luis" finds "José Luis"."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())

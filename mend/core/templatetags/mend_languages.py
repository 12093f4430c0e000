"""{{ code|language_name }}: a stored language code, named in the reader's language."""

from __future__ import annotations

from django import template

from mend.core import languages

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    return languages.language_name(code or "")

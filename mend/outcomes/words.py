"""Codes read in the reader's language, for the rows of breakdowns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _


def choice_words(choices: type[TextChoices]) -> Callable[[Any], str]:
    def words(value: Any) -> str:
        if value in (None, ""):
            return _("Not recorded")
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return words

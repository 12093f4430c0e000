"""What every document writes the same way: its reader's language, dates, sums, names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext

from mend.cases.models import Participant
from mend.processes.mail import language_for
from mend.programs.models import Program


def reader_language(participant: Participant, program: Program) -> str:
    """The participant's language when Mend writes it, else the program's, else English."""
    return language_for(participant.person, program)


def program_language(program: Program) -> str:
    """The first language the program offers that Mend writes, else English."""
    written = {code for code, _name in settings.LANGUAGES}
    return next((c for c in program.offered_languages if c in written), settings.LANGUAGE_CODE)


def day(value: date | datetime, program: Program) -> str:
    """A date as its reader writes it ("2 December 2026"); a moment on the program's clock."""
    if isinstance(value, datetime):
        value = timezone.localtime(value, ZoneInfo(program.time_zone)).date()
    # The format is the reader's: "2 December 2026", "2 de diciembre de 2026".
    return date_format(value, pgettext("date in a document", "j F Y"))


def money(amount: Decimal, currency: str) -> str:
    return f"{number_format(amount, decimal_pos=2, force_grouping=True)} {currency}"


def name_of(participant: Participant) -> str:
    """A person's name: the one thing about them any document carries."""
    person = participant.person
    return f"{person.given_name} {person.family_name}".strip()

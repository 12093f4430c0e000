"""One rule for the dates people enter, on forms and through the API.

A date before 1900 or thousands of years ahead is a typing slip, and far-future dates
overflow date arithmetic (a 500). Each date field says what it means: something that has
happened (not after today) or something planned, such as an expiry (a few years ahead
at most).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = date(1900, 1, 1)
# How far ahead a planned date (an expiry, a filter's end) may reasonably be.
YEARS_AHEAD = 5


def years_from(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest(*, past: bool, years_ahead: int = YEARS_AHEAD) -> date:
    today = timezone.localdate()
    return today if past else years_from(today, years_ahead)


def plausible_date(day: date, *, past: bool = False, years_ahead: int = YEARS_AHEAD) -> date:
    """`day`, or a ValidationError saying which bound it crosses."""
    if day < EARLIEST:
        raise ValidationError(_("Enter a date in 1900 or later."), code="too_early")
    limit = latest(past=past, years_ahead=years_ahead)
    if day > limit:
        if past:
            raise ValidationError(_("This date is in the future."), code="future")
        raise ValidationError(
            _("Enter a date on or before %(latest)s."),
            code="too_late",
            params={"latest": limit.isoformat()},
        )
    return day


def past_date(day: date) -> date:
    return plausible_date(day, past=True)


def planned_date(day: date) -> date:
    return plausible_date(day)

"""Restorative justice offered in time: the first offer against the program's deadline.

The deadline is a number of working days after the day the referral was received. A
working-day sum depends only on the weekday it starts from, so it is worked out once
per weekday here and read by the database as a CASE over the weekday: one query.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, DateField, ExpressionWrapper, F, Min, QuerySet, Value, When
from django.db.models.functions import ExtractIsoWeekDay, TruncDate

from mend.cases.dashboard import add_working_days
from mend.cases.models import Participant
from mend.outcomes.periods import Period, bounds
from mend.programs.models import Program

# A Monday: the days after it give each weekday once.
MONDAY = date(2024, 1, 1)


def referred_harmed_parties(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Participant.objects.filter(
        case__program=program,
        role=Participant.Role.HARMED,
        case__referral__created_at__gte=start,
        case__referral__created_at__lt=end,
    )


def offered_in_time(program: Program, period: Period) -> QuerySet[Any]:
    days = program.rj_offer_deadline_working_days
    received_on = TruncDate(
        "case__referral__created_at", tzinfo=zoneinfo.ZoneInfo(program.time_zone)
    )
    offsets = [
        When(
            received_weekday=weekday + 1,
            then=ExpressionWrapper(
                F("received_on") + Value(timedelta(days=_offset(weekday, days))),
                output_field=DateField(),
            ),
        )
        for weekday in range(7)
    ]
    found: QuerySet[Any] = (
        referred_harmed_parties(program, period)
        .annotate(
            received_on=received_on,
            received_weekday=ExtractIsoWeekDay(received_on),
            first_offer=Min("offers__offered_on"),
        )
        .annotate(offer_due=Case(*offsets, output_field=DateField()))
        .filter(first_offer__lte=F("offer_due"))
    )
    return found


def _offset(weekday: int, days: int) -> int:
    start = MONDAY + timedelta(days=weekday)
    return (add_working_days(start, days) - start).days

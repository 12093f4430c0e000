"""Who is a victim served in a period, and on which day: the rule every return reads.

A victim is a harmed party (Participant.role "harmed") in a case of the program; the
person is what is counted, so someone harmed in two cases is one victim. A victim is
served on a day when, on any of their cases, one of SERVICES happened to them:
- offer: restorative justice was offered to them (RJOffer.offered_on);
- consent: a consent decision of theirs was recorded, any purpose, given, declined or
  withdrawn, their own or a parent's (ConsentEntry.decided_on);
- contact: a contact attempt reached them (Note of kind "contact", outcome "reached",
  on the day it was recorded);
- meeting: they attended a meeting that was held, a preparation meeting or one of the
  process (MeetingInvitee.attended, on the day the meeting started);
- letter: a letter or message they wrote or were sent was delivered (delivered_on).
Attempts that did not reach them, meetings they missed or that did not happen, and
letters not delivered are not services. Days are read in the program's time zone: a
contact recorded at 23:30 local time on 31 December belongs to the last quarter of the
year, whatever the time in UTC.

Everything here is a subquery over the service tables, so a figure is one SQL query
however many cases there are.
"""

from __future__ import annotations

import operator
import zoneinfo
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Any

from django.db.models import (
    DateField,
    Exists,
    Expression,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least, TruncDate

from mend.cases.models import ConsentEntry, Note, Participant, RJOffer
from mend.outcomes.periods import Period, bounds
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.programs.models import Program

HARMED = Participant.Role.HARMED
# "Never served in the window": later than any real day, so Least() passes over it.
NEVER = date(9999, 12, 31)


@dataclass(frozen=True)
class Service:
    code: str
    model: type[Model]
    # The paths from a record to the participant it served (a letter serves its author
    # and its recipient).
    parties: tuple[str, ...]
    # The column whose day puts the record in a period.
    day: str
    # True when that column is a moment (read as a day in the program's time zone).
    moment: bool
    where: Q


SERVICES: tuple[Service, ...] = (
    Service(
        "offer",
        RJOffer,
        ("participant",),
        "offered_on",
        False,
        Q(),
    ),
    Service(
        "consent",
        ConsentEntry,
        ("participant",),
        "decided_on",
        False,
        Q(),
    ),
    Service(
        "contact",
        Note,
        ("participant",),
        "created_at",
        True,
        Q(kind=Note.Kind.CONTACT, contact_outcome=Note.ContactOutcome.REACHED),
    ),
    Service(
        "meeting",
        MeetingInvitee,
        ("participant",),
        "meeting__starts_at",
        True,
        Q(attended=True, meeting__status=Meeting.Status.HELD),
    ),
    Service(
        "letter",
        Letter,
        ("author", "recipient"),
        "delivered_on",
        False,
        Q(status=Letter.Status.DELIVERED),
    ),
)


def harmed_parties(program: Program) -> QuerySet[Participant]:
    return Participant.objects.filter(case__program=program, role=HARMED)


def _in_window(service: Service, program: Program, start: date, end: date) -> QuerySet[Any]:
    rows = service.model._default_manager.filter(service.where)
    if service.moment:
        low, high = bounds(Period(start, end), program)
        return rows.filter(**{f"{service.day}__gte": low, f"{service.day}__lt": high})
    return rows.filter(**{f"{service.day}__gte": start, f"{service.day}__lt": end})


def _day(service: Service, program: Program) -> Expression | F:
    if service.moment:
        return TruncDate(service.day, tzinfo=zoneinfo.ZoneInfo(program.time_zone))
    return F(service.day)


def _serving(service: Service, outer: str, by_person: bool) -> Q:
    """The service's records that served the outer row's participation (a harmed one:
    every caller reads harmed_parties) or, by_person, any harmed participation of the
    outer row's person."""
    if by_person:
        found = [
            Q(**{f"{path}__person": OuterRef(outer), f"{path}__role": HARMED})
            for path in service.parties
        ]
    else:
        # No join back to the participant: the outer row is a harmed participation.
        found = [Q(**{path: OuterRef(outer)}) for path in service.parties]
    return reduce(operator.or_, found)


def _records(
    service: Service, program: Program, start: date, end: date, outer: str, by_person: bool
) -> QuerySet[Any]:
    return _in_window(service, program, start, end).filter(_serving(service, outer, by_person))


def first_day(
    program: Program,
    start: date,
    end: date,
    *,
    outer: str = "pk",
    by_person: bool = False,
    services: tuple[Service, ...] = SERVICES,
) -> Least | Coalesce:
    """The first day in [start, end) the outer participation (or person) was served;
    NEVER when it was not."""
    firsts = []
    for service in services:
        earliest = (
            _records(service, program, start, end, outer, by_person)
            .annotate(day=_day(service, program))
            .order_by("day")
            .values("day")[:1]
        )
        firsts.append(Coalesce(Subquery(earliest, output_field=DateField()), Value(NEVER)))
    if len(firsts) == 1:
        return firsts[0]
    return Least(*firsts, output_field=DateField())


def served_between(
    program: Program,
    start: date,
    end: date,
    *,
    outer: str = "pk",
    by_person: bool = False,
    services: tuple[Service, ...] = SERVICES,
) -> Any:
    """A condition: the outer participation (or person) was served in [start, end)."""
    found = [
        Exists(_records(service, program, start, end, outer, by_person)) for service in services
    ]
    return reduce(operator.or_, found)


def served_ids(
    program: Program, start: date, end: date, services: tuple[Service, ...] = SERVICES
) -> Q:
    """The harmed participations some service of [start, end) names, read from the
    service tables by their dates, so only those rows are looked at one by one."""
    found = [
        _in_window(service, program, start, end)
        .filter(**{f"{path}__role": HARMED})
        .order_by()
        .values_list(path, flat=True)
        for service in services
        for path in service.parties
    ]
    # One UNION, not an OR of IN lists: the database reads it as one set to join with,
    # where an OR of subqueries is tested row by row over every harmed party.
    return Q(pk__in=found[0].union(*found[1:]) if len(found) > 1 else found[0])


def served(program: Program, period: Period) -> QuerySet[Participant]:
    """Harmed participations served in the period, each with `served_on`, the first day
    in the period it was served. The participations are found first (by the services'
    dates), then each one's first day: never a pass over every harmed party there is."""
    return (
        harmed_parties(program)
        .filter(served_ids(program, period.start, period.end))
        .annotate(served_on=first_day(program, period.start, period.end))
    )

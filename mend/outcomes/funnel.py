"""The funnel: how far the cases referred in a period have come.

The cohort is the cases whose referral was received in the period. Each step is a date
on the case, found by one subquery (the first day it happened), so the funnel is one
query per step however many cases there are. A case that skipped a step (a letter
exchange needs no meeting) is counted at every later step it reached; conversion is
each step over the step before it.
"""

from __future__ import annotations

import statistics
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import DateField, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case, ConsentEntry, Note, Participant, SafetyAssessment
from mend.cases.stages import Outcome
from mend.outcomes.measures import Measure
from mend.outcomes.periods import Period, bounds
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.programs.models import ConsentPurpose, Program

TAKING_PART = (ConsentPurpose.INDIRECT, ConsentPurpose.FACE_TO_FACE)
DIRECT_MEETINGS = ("mediation", "conference", "circle", "community_panel", "police_community")
COMPLETED = (Outcome.COMPLETED_WITH_AGREEMENT, Outcome.COMPLETED_WITHOUT_AGREEMENT)


def _first(grouped: QuerySet[Any], column: str) -> Subquery:
    """The earliest `column` among the rows of one case (see `_group`)."""
    return Subquery(
        grouped.annotate(first=Min(column)).values("first")[:1], output_field=DateField()
    )


def _group(queryset: QuerySet[Any], case_path: str) -> QuerySet[Any]:
    """The rows of one case (OuterRef), grouped by it, so Min() is per case."""
    return queryset.filter(**{case_path: OuterRef("pk")}).order_by().values(case_path)


def cohort(program: Program, period: Period) -> QuerySet[Case]:
    start, end = bounds(period, program)
    zone = zoneinfo.ZoneInfo(program.time_zone)

    def day(column: str) -> TruncDate:
        return TruncDate(column, tzinfo=zone)

    consent = ConsentEntry.objects.filter(decision=ConsentEntry.Decision.GIVEN)
    taking_part = consent.filter(purpose__in=TAKING_PART)
    reached = Note.objects.filter(
        kind=Note.Kind.CONTACT, contact_outcome=Note.ContactOutcome.REACHED
    ).annotate(on=day("created_at"))
    held = MeetingInvitee.objects.filter(
        attended=True, meeting__status=Meeting.Status.HELD
    ).annotate(on=day("meeting__starts_at"))
    letters = Letter.objects.filter(status=Letter.Status.DELIVERED)
    return (
        Case.objects.filter(
            program=program, referral__created_at__gte=start, referral__created_at__lt=end
        )
        .annotate(
            referred_on=day("referral__created_at"),
            first_consent_on=_first(_group(consent, "participant__case"), "decided_on"),
            first_reached_on=_first(_group(reached, "case"), "on"),
            harmed_consented_on=_first(
                _group(
                    taking_part.filter(participant__role=Participant.Role.HARMED),
                    "participant__case",
                ),
                "decided_on",
            ),
            responsible_consented_on=_first(
                _group(
                    taking_part.filter(participant__role=Participant.Role.RESPONSIBLE),
                    "participant__case",
                ),
                "decided_on",
            ),
            assessed_on=_first(
                _group(
                    SafetyAssessment.objects.filter(
                        result__in=[
                            SafetyAssessment.Result.SUITABLE,
                            SafetyAssessment.Result.WITH_CONDITIONS,
                        ]
                    ),
                    "participant__case",
                ),
                "assessed_on",
            ),
            direct_on=_first(
                _group(held.filter(meeting__kind__in=DIRECT_MEETINGS), "meeting__case"), "on"
            ),
            indirect_on=_earliest(
                _first(_group(letters, "case"), "delivered_on"),
                _first(_group(held.filter(meeting__kind="shuttle"), "meeting__case"), "on"),
            ),
            completed_on=day("closed_at"),
        )
        .annotate(
            contacted_on=_earliest(F("first_consent_on"), F("first_reached_on")),
            process_on=_earliest(F("direct_on"), F("indirect_on")),
        )
    )


def _earliest(one: Any, other: Any) -> Least:
    """The earlier of two dates where either may be missing (LEAST of NULL is NULL)."""
    return Least(Coalesce(one, other), Coalesce(other, one), output_field=DateField())


@dataclass(frozen=True)
class Step:
    code: str
    label: str | Promise
    rule: str | Promise
    # The date the step was reached (an annotation of `cohort`), or a filter.
    reached: Q
    date: str
    # The step conversion and the median days are measured from (None: the first).
    after: str | None


STEPS = [
    Step(
        "funnel_referred",
        _("Referred"),
        _("Cases whose referral was received in the period."),
        Q(),
        "referred_on",
        None,
    ),
    Step(
        "funnel_contacted",
        _("Contacted"),
        _(
            "Of those, cases where someone was reached: a contact attempt recorded as "
            "spoken with, or any consent decision recorded."
        ),
        Q(contacted_on__isnull=False),
        "contacted_on",
        "funnel_referred",
    ),
    Step(
        "funnel_harmed_consented",
        _("Harmed party consented"),
        _("Of those, cases where a harmed party consented to take part, directly or not."),
        Q(harmed_consented_on__isnull=False),
        "harmed_consented_on",
        "funnel_contacted",
    ),
    Step(
        "funnel_responsible_consented",
        _("Responsible party consented"),
        _("Of those, cases where a responsible party consented to take part, directly or not."),
        Q(responsible_consented_on__isnull=False),
        "responsible_consented_on",
        "funnel_contacted",
    ),
    Step(
        "funnel_assessed",
        _("Assessed as suitable"),
        _("Of those, cases where a safety assessment found a party suitable."),
        Q(assessed_on__isnull=False),
        "assessed_on",
        "funnel_contacted",
    ),
    Step(
        "funnel_direct",
        _("Met face to face"),
        _("Cases where a mediation, conference, circle or panel was held with a party attending."),
        Q(direct_on__isnull=False),
        "direct_on",
        "funnel_assessed",
    ),
    Step(
        "funnel_indirect",
        _("Communicated indirectly"),
        _("Cases where a letter was delivered or a shuttle mediation was held."),
        Q(indirect_on__isnull=False),
        "indirect_on",
        "funnel_assessed",
    ),
    Step(
        "funnel_process",
        _("Took part in a process"),
        _("Cases that met face to face or communicated indirectly (either of the two above)."),
        Q(process_on__isnull=False),
        "process_on",
        "funnel_assessed",
    ),
    Step(
        "funnel_agreement",
        _("Agreement reached"),
        _("Cases where every party agreed to an agreement."),
        Q(agreement_reached_on__isnull=False),
        "agreement_reached_on",
        "funnel_process",
    ),
    Step(
        "funnel_completed",
        _("Completed"),
        _("Cases closed as completed, with or without an agreement."),
        Q(outcome__in=COMPLETED),
        "completed_on",
        "funnel_process",
    ),
]


def _rows(step: Step) -> Any:
    def rows(program: Program, period: Period) -> QuerySet[Case]:
        return cohort(program, period).filter(step.reached)

    return rows


MEASURES = [
    Measure(
        code=step.code,
        label=step.label,
        rule=step.rule,
        rows=_rows(step),
        case_path="pk",
        date_path=step.date,
    )
    for step in STEPS
]


@dataclass(frozen=True)
class FunnelRow:
    step: Step
    count: int
    # Share of the step before (None for the first, or after a step of none).
    conversion: float | None
    # Median days from the step it follows to this one.
    median_days: float | None


def funnel(program: Program, period: Period) -> list[FunnelRow]:
    """Each step's count, its share of the step it follows, and the median days from
    that step to this one over the cases that reached both."""
    by_code = {step.code: step for step in STEPS}
    counts: dict[str, int] = {}
    rows: list[FunnelRow] = []
    for step in STEPS:
        before = by_code[step.after] if step.after else None
        columns = [step.date, before.date if before else step.date]
        pairs = list(cohort(program, period).filter(step.reached).values_list(*columns))
        counts[step.code] = len(pairs)
        days = [_days(start, end) for end, start in pairs if start and end]
        base = counts.get(step.after or "")
        rows.append(
            FunnelRow(
                step,
                counts[step.code],
                counts[step.code] / base if base else None,
                statistics.median(days) if before and days else None,
            )
        )
    return rows


def _days(start: date | datetime, end: date | datetime) -> int:
    return (_as_date(end) - _as_date(start)).days


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value

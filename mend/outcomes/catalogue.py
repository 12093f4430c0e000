"""The measures Mend reports, each registered once (see mend.outcomes.measures).

Every rule here is also written out in docs/measures.md; a test checks that each
measure's code appears there.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case, JusticeStage, Participant, Referral, RJOffer, StageChange
from mend.cases.stages import ENDED, Outcome, Stage
from mend.outcomes import catalogue_agreements, funnel, measures, offence_codes
from mend.outcomes.measures import Dimension, Measure, Unit
from mend.outcomes.offers import offered_in_time, referred_harmed_parties
from mend.outcomes.periods import Period, bounds
from mend.outcomes.words import choice_words
from mend.processes.models import Meeting
from mend.programs.models import Agency, Membership, ProcessType, Program
from mend.programs.roles import Role

PARTIES = (Participant.Role.HARMED, Participant.Role.RESPONSIBLE)


def received(program: Program, period: Period) -> QuerySet[Any]:
    """Referrals received in the period (by the day they reached Mend)."""
    start, end = bounds(period, program)
    return Referral.objects.filter(program=program, created_at__gte=start, created_at__lt=end)


REFERRALS = Measure(
    code="referrals",
    label=_("Referrals received"),
    rule=_(
        "Every referral that reached the program in the period, counted on the day it was "
        "received, whatever was decided on it. Declined referrals and duplicates count."
    ),
    rows=received,
    date_path="created_at",
    dimensions=(
        Dimension("offence", _("Offence"), "offence_category__label"),
        Dimension(
            "justice_stage",
            _("Where the matter stands"),
            "justice_stage",
            choice_words(JusticeStage),
        ),
        Dimension(
            "source", _("Kind of referring agency"), "agency__kind", choice_words(Agency.Kind)
        ),
        Dimension("agency", _("Referring agency"), "agency__name"),
        Dimension(
            "national_code",
            _("National offence code"),
            "offence_category__national_code__code",
            offence_codes.words,
        ),
        Dimension("area", _("Area"), "area", typed=True),
        Dimension("precinct", _("Precinct"), "precinct", typed=True),
    ),
)


def offers(program: Program, period: Period) -> QuerySet[Any]:
    return RJOffer.objects.filter(
        participant__case__program=program,
        offered_on__gte=period.start,
        offered_on__lt=period.end,
    )


OFFERS = Measure(
    code="offers_made",
    label=_("Harmed parties offered restorative justice"),
    rule=_(
        "Harmed parties who were offered restorative justice at least once in the period, "
        "by the date of the offer. A person offered twice in the period counts once."
    ),
    rows=offers,
    case_path="participant__case",
    date_path="offered_on",
    distinct="participant",
)

HARMED_REFERRED = Measure(
    code="harmed_parties_referred",
    label=_("Harmed parties referred"),
    rule=_(
        "Harmed parties named in cases whose referral was received in the period, by the "
        "day the referral was received."
    ),
    rows=referred_harmed_parties,
    date_path="case__referral__created_at",
)

OFFERS_IN_TIME = Measure(
    code="offers_in_time",
    label=_("Harmed parties offered restorative justice within the deadline"),
    rule=_(
        "Of the harmed parties referred in the period, those whose first offer was made "
        "within the program's deadline (working days, Monday to Friday, after the day the "
        "referral was received)."
    ),
    rows=offered_in_time,
    date_path="case__referral__created_at",
)


def _stage_when_withdrawn() -> Subquery:
    """The stage the case was in when the person withdrew: the last move before it."""
    return Subquery(
        StageChange.objects.filter(case=OuterRef("case"), created_at__lte=OuterRef("withdrawn_at"))
        .exclude(to_stage__in=["withdrawn", "closed"])
        .order_by("-created_at", "-id")
        .values("to_stage")[:1]
    )


def withdrawals(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Participant.objects.filter(
        case__program=program,
        role__in=PARTIES,
        status=Participant.Status.WITHDRAWN,
        withdrawn_at__gte=start,
        withdrawn_at__lt=end,
    ).annotate(stage_when_withdrawn=_stage_when_withdrawn())


WITHDRAWALS = Measure(
    code="withdrawals",
    label=_("Parties who withdrew"),
    rule=_(
        "Harmed and responsible parties who withdrew in the period, by the day they "
        "withdrew, with the stage the case was in at the time and the reason recorded."
    ),
    rows=withdrawals,
    date_path="withdrawn_at",
    dimensions=(
        Dimension("role", _("Party"), "role", choice_words(Participant.Role)),
        Dimension("stage", _("Stage"), "stage_when_withdrawn", choice_words(Stage)),
        Dimension(
            "reason",
            _("Reason"),
            "withdrawal_reason_code",
            choice_words(Participant.WithdrawalReason),
        ),
    ),
)


def meetings_held(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Meeting.objects.filter(
        case__program=program,
        status=Meeting.Status.HELD,
        starts_at__gte=start,
        starts_at__lt=end,
    )


MEETINGS = Measure(
    code="meetings_held",
    label=_("Meetings held"),
    rule=_(
        "Meetings recorded as held, by the day they took place. Cancelled meetings and "
        "meetings that did not happen are left out."
    ),
    rows=meetings_held,
    date_path="starts_at",
    dimensions=(Dimension("kind", _("Kind of meeting"), "kind", choice_words(ProcessType)),),
    about_people=False,
)


def _volunteer_then(program: Program, user: Any, day: Any, moment: Any) -> Exists:
    """`user` was a volunteer practitioner of the program on `day` (the meeting's local
    day) and still at `moment` (its start): references to the outer rows."""
    return Exists(
        Membership.objects.filter(
            program=program, user=user, role=Role.VOLUNTEER, starts_on__lte=day
        ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
    )


def volunteer_meetings(program: Program, period: Period) -> QuerySet[Any]:
    """Meetings held in the period with a volunteer practitioner facilitating, each with
    the minutes volunteers gave to it: its length once for each volunteer there."""
    co_volunteers = (
        Meeting.co_facilitators.through.objects.filter(meeting=OuterRef("pk"))
        .filter(
            _volunteer_then(
                program,
                OuterRef("user"),
                OuterRef(OuterRef("meeting_day")),
                OuterRef(OuterRef("starts_at")),
            )
        )
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lead = _volunteer_then(
        program, OuterRef("lead"), OuterRef("meeting_day"), OuterRef("starts_at")
    )
    volunteers = SqlCase(When(lead, then=Value(1)), default=Value(0)) + Coalesce(
        Subquery(co_volunteers, output_field=IntegerField()), Value(0)
    )
    zone = zoneinfo.ZoneInfo(program.time_zone)
    found: QuerySet[Any] = (
        meetings_held(program, period)
        .annotate(meeting_day=TruncDate("starts_at", tzinfo=zone))
        .annotate(volunteers=volunteers)
        .filter(volunteers__gt=0)
        .annotate(volunteer_minutes=F("volunteers") * Coalesce("duration_minutes", Value(0)))
    )
    return found


VOLUNTEER_HOURS = Measure(
    code="volunteer_hours",
    label=_("Volunteer hours in meetings"),
    rule=_(
        "The length of each meeting held in the period (as recorded when it was marked "
        "held), once for each volunteer practitioner who led or co-facilitated it, as "
        "hours. A volunteer is someone whose role in the program was volunteer "
        "practitioner on the day of the meeting. Time volunteers give outside meetings "
        "is not counted here."
    ),
    rows=volunteer_meetings,
    date_path="starts_at",
    unit=Unit.HOURS,
    summed="volunteer_minutes",
    about_people=False,
)


def ended(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Case.objects.filter(
        program=program, stage__in=ENDED, closed_at__gte=start, closed_at__lt=end
    )


CASES_ENDED = Measure(
    code="cases_ended",
    label=_("Cases ended"),
    rule=_(
        "Cases closed or withdrawn in the period, by the day they ended, with how they "
        "ended. A declined referral ends its case the day it is declined, and counts."
    ),
    rows=ended,
    case_path="pk",
    date_path="closed_at",
    dimensions=(Dimension("outcome", _("Outcome"), "outcome", choice_words(Outcome)),),
)


def register_all() -> None:
    from mend.outcomes.reoffending_measures import MEASURES as REOFFENDING
    from mend.outcomes.survey_measures import SURVEY_MEASURES

    for measure in (
        REFERRALS,
        HARMED_REFERRED,
        OFFERS,
        OFFERS_IN_TIME,
        *funnel.MEASURES,
        WITHDRAWALS,
        MEETINGS,
        VOLUNTEER_HOURS,
        CASES_ENDED,
        *catalogue_agreements.MEASURES,
        *SURVEY_MEASURES,
        *REOFFENDING,
    ):
        measures.register(measure)

    from mend.outcomes.returns import figures as returns

    returns.register_all()

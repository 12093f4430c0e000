"""Measures of agreements and what was done under them: reached, completed, restitution
agreed and paid, community service agreed and verified."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mend.agreements.models import Agreement, Payment, ServiceSession, Term
from mend.outcomes.measures import Measure, Unit
from mend.outcomes.periods import Period, bounds
from mend.programs.models import Program


def first_agreed(program: Program, period: Period) -> QuerySet[Any]:
    """First versions agreed in the period: a renegotiated agreement is not a new one."""
    start, end = bounds(period, program)
    return Agreement.objects.filter(
        case__program=program, number=1, agreed_at__gte=start, agreed_at__lt=end
    )


def completed(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Agreement.objects.filter(
        case__program=program,
        status=Agreement.Status.COMPLETED,
        ended_at__gte=start,
        ended_at__lt=end,
    )


def _terms_of_new_agreements(program: Program, period: Period, kind: str) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return Term.objects.filter(
        agreement__case__program=program,
        agreement__number=1,
        agreement__agreed_at__gte=start,
        agreement__agreed_at__lt=end,
        kind=kind,
    )


def restitution_agreed(program: Program, period: Period) -> QuerySet[Any]:
    return _terms_of_new_agreements(program, period, Term.Kind.RESTITUTION)


def restitution_paid(program: Program, period: Period) -> QuerySet[Any]:
    return Payment.objects.filter(
        term__agreement__case__program=program,
        paid_on__gte=period.start,
        paid_on__lt=period.end,
    )


def service_agreed(program: Program, period: Period) -> QuerySet[Any]:
    return _terms_of_new_agreements(program, period, Term.Kind.COMMUNITY_SERVICE)


def service_verified(program: Program, period: Period) -> QuerySet[Any]:
    return ServiceSession.objects.filter(
        term__agreement__case__program=program,
        on__gte=period.start,
        on__lt=period.end,
        verified_at__isnull=False,
    )


MEASURES = [
    Measure(
        code="agreements_reached",
        label=_("Agreements reached"),
        rule=_(
            "Agreements every party agreed to in the period, by the day the last of them "
            "agreed. A later version of an agreement, after the parties reconvened, is "
            "not counted again."
        ),
        rows=first_agreed,
        date_path="agreed_at",
    ),
    Measure(
        code="agreements_completed",
        label=_("Agreements completed"),
        rule=_(
            "Agreements whose every term was done, by the day the last term was done. "
            "Agreements replaced by a later version count only through that version."
        ),
        rows=completed,
        date_path="ended_at",
    ),
    Measure(
        code="restitution_agreed",
        label=_("Restitution agreed"),
        rule=_(
            "The amounts of the restitution terms in the agreements reached in the period, "
            "in the program's currency."
        ),
        rows=restitution_agreed,
        case_path="agreement__case",
        date_path="agreement__agreed_at",
        unit=Unit.MONEY,
        summed="amount",
        about_people=False,
    ),
    Measure(
        code="restitution_paid",
        label=_("Restitution paid"),
        rule=_(
            "Payments of restitution recorded as paid in the period, by the day paid, less "
            "the corrections made in the period."
        ),
        rows=restitution_paid,
        case_path="term__agreement__case",
        date_path="paid_on",
        unit=Unit.MONEY,
        summed="amount",
        about_people=False,
    ),
    Measure(
        code="service_hours_agreed",
        label=_("Community service hours agreed"),
        rule=_("The hours of the community service terms in the agreements reached in the period."),
        rows=service_agreed,
        case_path="agreement__case",
        date_path="agreement__agreed_at",
        unit=Unit.HOURS,
        summed="service_minutes",
        about_people=False,
    ),
    Measure(
        code="service_hours_verified",
        label=_("Community service hours verified"),
        rule=_(
            "The minutes of the sessions of community service worked in the period and "
            "verified by the placement (or on its behalf), as hours. Sessions not yet "
            "verified are left out."
        ),
        rows=service_verified,
        case_path="term__agreement__case",
        date_path="on",
        unit=Unit.HOURS,
        summed="minutes",
        about_people=False,
    ),
]

"""What agreements records in a demo case: the agreement the parties reached at their
meeting, and, for a case closing as completed with agreement, its terms done.

Everything goes through the services, so it obeys the same rules as work done by hand.
It draws nothing from the story's random numbers, so the rest of the story stays the same.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mend.agreements import services
from mend.agreements.models import Agreement, Signature, Term
from mend.cases.models import Participant
from mend.cases.stages import Outcome
from mend.processes.models import Meeting

if TYPE_CHECKING:
    from mend.cases.demo import Closing, Happened


def _terms(happened: Happened) -> list[services.TermDetails]:
    harmed = next((p for p in happened.participants if p.role == Participant.Role.HARMED), None)
    agreed_on = happened.at.date()
    return [
        services.TermDetails(
            kind=Term.Kind.APOLOGY_SPOKEN,
            description="Apologise in person, at the meeting.",
            serves=harmed,
            due_on=agreed_on,
            monitor=happened.by,
        ),
        services.TermDetails(
            kind=Term.Kind.REPARATIVE_ACT,
            description="Repair the damage with a volunteer.",
            serves=harmed,
            due_on=agreed_on + timedelta(days=28),
            monitor=happened.by,
        ),
    ]


def agree(happened: Happened) -> None:
    """The parties reached an agreement: one per responsible party, agreed by everyone."""
    if not happened.agreed or happened.case.stage not in services.DRAFTING_STAGES:
        return
    case = happened.case
    meeting = (
        case.meetings.filter(status=Meeting.Status.HELD, starts_at__lte=happened.at)
        .order_by("-starts_at")
        .first()
    )
    for responsible in happened.participants:
        if responsible.role != Participant.Role.RESPONSIBLE:
            continue
        agreement = services.draft_agreement(
            case=case,
            responsible=responsible,
            terms=_terms(happened),
            by=happened.by,
            expected_version=None,
            meeting=meeting,
        )
        for person in services.signers(agreement):
            services.record_signature(
                agreement=agreement,
                participant=person,
                method=Signature.Method.VERBAL,
                agreed_on=happened.at.date(),
                by=happened.by,
                expected_version=None,
            )


def settle(closing: Closing) -> None:
    """Closing as completed with agreement: what was agreed was done."""
    if closing.outcome != Outcome.COMPLETED_WITH_AGREEMENT:
        return
    terms = Term.objects.filter(
        agreement__case=closing.case,
        agreement__status=Agreement.Status.BINDING,
        status__in=[Term.Status.PENDING, Term.Status.IN_PROGRESS],
    ).select_related("agreement")
    for term in terms:
        services.set_term_status(
            term=term, status=Term.Status.COMPLETED, by=closing.by, expected_version=None
        )

"""A case whose agreement is being followed up, for the tests of a term's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from mend.agreements import services
from mend.agreements.models import Agreement, Term
from mend.cases.models import Case
from mend.cases.services import assign_team
from mend.testing.agreements import agreement_case, binding, restitution, service
from mend.testing.personas import World


@dataclass
class FollowedUp:
    case: Case
    agreement: Agreement
    restitution: Term
    service: Term
    program: Term

    def url(self, term: Term, action: str = "") -> str:
        kwargs = {
            "reference": self.case.reference,
            "agreement_id": term.agreement_id,
            "term_id": term.pk,
        }
        if action:
            return reverse("agreements:term_action", kwargs={**kwargs, "action": action})
        return reverse("agreements:term", kwargs=kwargs)


def program_term(world: World) -> services.TermDetails:
    return services.TermDetails(
        kind=Term.Kind.PROGRAM,
        description="Complete the anger management course.",
        monitor=world["facilitator"],
        program_kind=Term.ProgramKind.ANGER_MANAGEMENT,
        provider="Riverside Counselling",
    )


def followed_up(world: World, amount: str = "120.00", hours: int = 10) -> FollowedUp:
    """Led by the facilitator, the volunteer assigned and monitoring the service term;
    every party has agreed to restitution, community service and a program."""
    case = agreement_case(world)
    assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    terms = [
        restitution(world, case, amount),
        service(world, case, hours),
        program_term(world),
    ]
    agreement = binding(world, case, terms)
    money, hours_term, program = agreement.terms.order_by("position")
    return FollowedUp(case, agreement, money, hours_term, program)

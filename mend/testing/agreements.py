"""Agreements for tests, made through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from mend.agreements import services
from mend.agreements.models import Agreement, Placement, ServiceSession, Term
from mend.cases.models import Case, Participant
from mend.cases.stages import Stage
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World


def placement(world: World, name: str = "Riverside Food Bank") -> Placement:
    return Placement.objects.create(
        program=world.program,
        organisation="Riverside Community Trust",
        name=name,
        address="12 Market Street",
        contact_name="Pat Placement",
        contact_email="pat@foodbank.example",
        schedule=[{"weekday": 5, "from": "09:00", "until": "13:00"}],
    )


def restitution(
    world: World, case: Case, amount: str = "120.00", **extra: object
) -> services.TermDetails:
    harmed = parties(case, Participant.Role.HARMED)[0]
    return services.TermDetails(
        kind=Term.Kind.RESTITUTION,
        description="Pay for the bicycle's repair.",
        serves=harmed,
        due_on=timezone.localdate() + timedelta(days=60),
        monitor=world["facilitator"],
        amount=Decimal(amount),
        currency="USD",
        **extra,  # type: ignore[arg-type]
    )


def service(
    world: World, case: Case, hours: int = 10, where: Placement | None = None
) -> services.TermDetails:
    return services.TermDetails(
        kind=Term.Kind.COMMUNITY_SERVICE,
        description="Help at the food bank on Saturdays.",
        due_on=timezone.localdate() + timedelta(days=90),
        monitor=world["volunteer"],
        service_minutes=hours * 60,
        placement=where or placement(world),
    )


def apology(world: World, case: Case) -> services.TermDetails:
    return services.TermDetails(
        kind=Term.Kind.APOLOGY_SPOKEN,
        description="Apologise in person at the conference.",
        serves=parties(case, Participant.Role.HARMED)[0],
        due_on=timezone.localdate(),
        monitor=world["facilitator"],
    )


def agreement_case(world: World, **submit_options: object) -> Case:
    """A case in Agreement and follow-up, the parties having met."""
    return to_stage(world, submit(world, **submit_options), Stage.AGREEMENT)  # type: ignore[arg-type]


def draft(world: World, case: Case, terms: list[services.TermDetails] | None = None) -> Agreement:
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    return services.draft_agreement(
        case=case,
        responsible=responsible,
        terms=terms if terms is not None else [apology(world, case), restitution(world, case)],
        by=world["facilitator"],
        expected_version=None,
        meeting=case.meetings.filter(status="held").order_by("-starts_at").first(),
    )


def sign_all(world: World, agreement: Agreement, on: date | None = None) -> Agreement:
    for person in services.signers(agreement):
        if agreement.signatures.filter(participant=person).exists():
            continue
        services.record_signature(
            agreement=agreement,
            participant=person,
            method="verbal",
            agreed_on=on or timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        )
    agreement.refresh_from_db()
    return agreement


def binding(world: World, case: Case, terms: list[services.TermDetails] | None = None) -> Agreement:
    return sign_all(world, draft(world, case, terms))


def session_to_verify(world: World, where: Placement | None = None) -> ServiceSession:
    """A checked-out session of a binding community service term, waiting for the
    placement to confirm it."""
    from datetime import time

    from mend.agreements import hours

    case = agreement_case(world)
    agreement = binding(world, case, [service(world, case, where=where)])
    term = agreement.terms.get()
    session = hours.check_in(
        term=term,
        on=timezone.localdate() - timedelta(days=1),
        at=time(9),
        by=world["volunteer"],
        expected_version=None,
    )
    return hours.check_out(
        session=session, at=time(12, 30), by=world["volunteer"], expected_version=None
    )


def carry_out(world: World, agreement: Agreement) -> Agreement:
    """Every term done through the services: paid in full, served and verified in full,
    confirmed by the provider, then marked completed."""
    from datetime import time

    from mend.agreements import hours, ledger, progress

    by = world["coordinator"]
    today = timezone.localdate()
    for term in agreement.terms.filter(status__in=["pending", "in_progress"]):
        if term.kind == Term.Kind.RESTITUTION:
            ledger.record_payment(
                term=term,
                amount=progress.balance(term),
                paid_on=today,
                method="cash",
                by=by,
                expected_version=None,
            )
        elif term.kind == Term.Kind.COMMUNITY_SERVICE:
            left = progress.minutes_left(term)
            while left:
                served = min(left, 8 * 60)
                session = hours.check_in(
                    term=term, on=today, at=time(8), by=by, expected_version=None
                )
                end = 8 * 60 + served
                hours.check_out(
                    session=session, at=time(end // 60, end % 60), by=by, expected_version=None
                )
                hours.verify_session(
                    session=session,
                    via="on_behalf",
                    verifier_name="Pat Placement",
                    by=by,
                    expected_version=None,
                )
                left -= served
        elif term.kind == Term.Kind.PROGRAM:
            hours.confirm_participation(
                term=term,
                confirmed_by="Jo Provider",
                confirmed_on=today,
                by=by,
                expected_version=None,
            )
        services.set_term_status(term=term, status="completed", by=by, expected_version=None)
    agreement.refresh_from_db()
    return agreement

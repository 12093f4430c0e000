"""Agreements for the demo cases that reached agreement and follow-up: the plan made in
the room, every party's agreement, payments and service hours as far as they have come.

Everything goes through the services, so a demo case closed as completed with agreement
has every term really done: paid to the cent, served to the minute, confirmed.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from mend.agreements import hours, ledger, services
from mend.agreements.models import AgreementSettings, Placement, Term
from mend.cases.models import Participant
from mend.programs.demo import DemoContext

if TYPE_CHECKING:
    from mend.cases.demo import Agreed
    from mend.programs.models import Program

PLACEMENTS = [
    (
        "Kestrel Close Community Garden",
        "Garden beds and paths",
        "Kestrel Close, behind the library",
        "Morgan Gardener",
        [{"weekday": 5, "from": "09:00", "until": "13:00"}],
    ),
    (
        "Demo City Food Bank",
        "Warehouse, sorting and packing",
        "40 Foundry Road",
        "Sam Shelves",
        [
            {"weekday": 1, "from": "14:00", "until": "18:00"},
            {"weekday": 3, "from": "14:00", "until": "18:00"},
        ],
    ),
]


def placements(program: Program) -> list[Placement]:
    """The demo program's placements, added the first time they are needed."""
    found = list(Placement.objects.filter(program=program).order_by("pk"))
    if found:
        return found
    AgreementSettings.objects.get_or_create(program=program)
    return [
        Placement.objects.create(
            program=program,
            organisation=organisation,
            name=name,
            address=address,
            contact_name=contact,
            contact_email=f"{contact.split()[0].lower()}@partners.invalid",
            schedule=schedule,
        )
        for organisation, name, address, contact, schedule in PLACEMENTS
    ]


def _terms(agreed: Agreed, harmed: Participant, due: date) -> list[services.TermDetails]:
    rng, by = agreed.rng, agreed.by
    place = rng.choice(placements(agreed.case.program))
    amount = Decimal(rng.randint(4, 40) * 10)
    choices = [
        services.TermDetails(
            kind=Term.Kind.RESTITUTION,
            description="Pay back the cost of the damage in instalments.",
            serves=harmed,
            due_on=due,
            monitor=by,
            amount=amount,
            currency="USD",
            instalments=[(due - timedelta(days=30), amount / 2), (due, amount / 2)],
        ),
        services.TermDetails(
            kind=Term.Kind.COMMUNITY_SERVICE,
            description=f"Volunteer at {place.organisation}.",
            due_on=due,
            monitor=by,
            service_minutes=rng.choice([4, 6, 8]) * 60,
            placement=place,
        ),
        services.TermDetails(
            kind=Term.Kind.REPARATIVE_ACT,
            description="Repair the fence with a volunteer.",
            serves=harmed,
            due_on=due,
            monitor=by,
        ),
        services.TermDetails(
            kind=Term.Kind.PROGRAM,
            description="Join the youth mentoring scheme for eight sessions.",
            due_on=due,
            monitor=by,
            program_kind=Term.ProgramKind.MENTORING,
            provider="Demo City Youth Service",
        ),
    ]
    spoken = services.TermDetails(
        kind=Term.Kind.APOLOGY_SPOKEN,
        description="Apologise in person, in the words of their choosing.",
        serves=harmed,
        due_on=due,
        monitor=by,
    )
    return [spoken, *rng.sample(choices, 2)]


def _follow_up(agreed: Agreed, term: Term, day: date, everything: bool) -> None:
    """Record what has been done on a term; all of it when the case will close as kept."""
    by = agreed.by
    if term.kind == Term.Kind.RESTITUTION:
        instalments = list(term.instalments.all())
        for instalment in instalments if everything else instalments[:1]:
            ledger.record_payment(
                term=term,
                amount=instalment.amount,
                paid_on=day,
                method="bank_transfer",
                receipt=f"RCPT-{term.pk:05d}-{instalment.pk}",
                by=by,
                expected_version=None,
            )
    elif term.kind == Term.Kind.COMMUNITY_SERVICE:
        left = term.service_minutes or 0
        while left > 0 and (everything or left == term.service_minutes):
            served = min(left, 240)
            end = (9 * 60) + served
            session = hours.check_in(term=term, on=day, at=time(9), by=by, expected_version=None)
            hours.check_out(
                session=session, at=time(end // 60, end % 60), by=by, expected_version=None
            )
            assert term.placement is not None
            hours.verify_session(
                session=session,
                via="on_behalf",
                verifier_name=term.placement.contact_name,
                by=by,
                expected_version=None,
            )
            left -= served
    elif term.kind == Term.Kind.PROGRAM and everything:
        hours.confirm_participation(
            term=term, confirmed_by="Jo Mentor", confirmed_on=day, by=by, expected_version=None
        )
    if everything or term.kind == Term.Kind.APOLOGY_SPOKEN:
        services.set_term_status(term=term, status="completed", by=by, expected_version=None)


def record(agreed: Agreed) -> None:
    """The cases demo's hook: the agreement made, agreed by every party, followed up."""
    case = agreed.case
    responsible = [p for p in agreed.participants if p.role == Participant.Role.RESPONSIBLE]
    harmed = [p for p in agreed.participants if p.role == Participant.Role.HARMED]
    if not responsible or not harmed:
        return
    day = min(timezone.localdate(agreed.at), timezone.localdate())
    meeting = case.meetings.filter(status="held").order_by("-starts_at").first()
    for person in responsible:
        agreement = services.draft_agreement(
            case=case,
            responsible=person,
            terms=_terms(agreed, harmed[0], day + timedelta(days=60)),
            by=agreed.by,
            expected_version=None,
            meeting=meeting,
        )
        agreed.stamp(agreement, created_at=agreed.at)
        for signer in services.signers(agreement):
            services.record_signature(
                agreement=agreement,
                participant=signer,
                method="verbal" if agreed.rng.random() < 0.5 else "on_screen",
                signed_name=signer.person.full_name,
                agreed_on=day,
                by=agreed.by,
                expected_version=None,
            )
        for term in agreement.terms.all():
            _follow_up(agreed, term, day, agreed.kept)


def load(context: DemoContext) -> None:
    """Add the program's placements and agreement settings, once."""
    placements(context.program)

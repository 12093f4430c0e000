"""Building cases for tests through the real services, stage by stage."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from mend.accounts.models import User
from mend.cases import services
from mend.cases.models import Case, ConsentEntry, Participant, SafetyAssessment
from mend.cases.queries import case_facts
from mend.cases.rules import GIVEN
from mend.cases.stages import Stage
from mend.programs.models import ConsentPurpose, ProcessType, Program
from mend.testing.personas import World

CANARY_PHONE = "CANARY-PHONE-0117-496-0000"
CANARY_EMAIL = "canary-victim@example.invalid"
CANARY_ADDRESS = "CANARY 1 Hidden Lane, Safehouse Town"


def submit(
    world: World,
    *,
    category: str = "theft",
    harmed: int = 1,
    responsible: int = 1,
    harmed_born: date | None = None,
    by: User | None = None,
    program: Program | None = None,
    area: str = "",
    precinct: str = "",
) -> Case:
    program = program or world.program
    details = services.ReferralDetails(
        area=area,
        precinct=precinct,
        incident_reference="CR/2026/0001",
        incident_date=timezone.localdate() - timedelta(days=10),
        offence_category=program.offence_categories.get(code=category),
        justice_stage="pre_charge",
        summary="A bicycle was taken from outside the library.",
        harmed=[
            services.PartyDetails(
                given_name=f"Hana{i}",
                family_name="Harmed",
                date_of_birth=harmed_born or date(1980, 5, 1),
                phone=CANARY_PHONE,
                email=CANARY_EMAIL,
                address=CANARY_ADDRESS,
            )
            for i in range(harmed)
        ],
        responsible=[
            services.PartyDetails(
                given_name=f"Rory{i}",
                family_name="Responsible",
                date_of_birth=date(2001, 2, 3),
                admits_responsibility=True,
            )
            for i in range(responsible)
        ],
    )
    referral = services.submit_referral(
        program=program,
        details=details,
        referrer=services.ReferrerDetails(name="PC Test"),
        agency=world.police if program == world.program else world.other_agency,
        by=by or world["referrer"],
    )
    return referral.case


def make_specialist(world: World, persona: str = "facilitator") -> None:
    """Mark a persona's membership as a specialist (who may lead specialist-only cases)."""
    from mend.programs.services import grant_membership

    membership = world.program.memberships.get(user=world[persona], ended_at__isnull=True)
    grant_membership(
        user=world[persona],
        program=world.program,
        role=membership.role,
        agency=membership.agency,
        is_specialist=True,
        by=None,
    )


def parties(case: Case, role: str | None = None) -> list[Participant]:
    people = case.participants.select_related("person").order_by("id")
    return list(people.filter(role=role) if role else people)


def screen(world: World, case: Case, *, passed: bool = True, override: str = "") -> Case:
    by = world["coordinator"]
    services.move_case(case=case, to=Stage.SCREENING, by=by, expected_version=None)
    codes = case.program.eligibility_criteria.values_list("code", flat=True)
    services.decide_eligibility(
        case=case,
        answers={code: passed for code in codes},
        reason="Checked with the referrer.",
        override_justification=override,
        by=by,
        expected_version=None,
    )
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[],
        by=by,
        expected_version=None,
    )
    return case


def consent_all(world: World, case: Case, *purposes: str) -> None:
    """Everyone taking part gives their own consent for each purpose (a harmed party's
    first consent to be contacted records the offer made by phone today)."""
    facts = case_facts(case)
    for participant in facts.taking_part():
        todo = [p for p in purposes if facts.consent_state(participant, p) != GIVEN]
        if not todo:
            continue
        offered = participant.offers.exists()
        services.record_consents(
            participant=participant,
            decisions=dict.fromkeys(todo, ConsentEntry.Decision.GIVEN),
            method=ConsentEntry.Method.WRITTEN,
            decided_on=timezone.localdate(),
            by=world["facilitator"],
            offer=None if offered else services.OfferDetails(timezone.localdate(), "phone"),
            expected_version=None,
        )


def assess_all(world: World, case: Case, result: str = SafetyAssessment.Result.SUITABLE) -> None:
    for participant in parties(case):
        if participant.is_active and participant.takes_part:
            services.record_assessment(
                participant=participant,
                assessed_on=timezone.localdate(),
                result=result,
                answers={"risk_of_harm": "Low."},
                conditions="Support worker present." if result == "with_conditions" else "",
                by=world["facilitator"],
                expected_version=None,
            )


def to_stage(world: World, case: Case, stage: str) -> Case:
    """Walk a fresh case along the main path until it reaches `stage`."""
    by = world["facilitator"]
    if stage == Stage.REFERRAL:
        return case
    if case.stage == Stage.REFERRAL:
        screen(world, case)
    if stage == Stage.SCREENING:
        return case
    services.move_case(case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None)
    if stage == Stage.CONTACT:
        return case
    consent_all(world, case, ConsentPurpose.CONTACT)
    services.move_case(case=case, to=Stage.PREPARATION, by=by, expected_version=None)
    if stage == Stage.PREPARATION:
        return case
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    services.choose_process(case=case, process=ProcessType.CONFERENCE, by=by, expected_version=None)
    services.move_case(case=case, to=Stage.PROCESS, by=by, expected_version=None)
    if stage == Stage.PROCESS:
        return case
    # Agreement and follow-up needs a joint meeting held (or a letter delivered).
    from mend.testing.meetings import meet_jointly

    meet_jointly(world, case)
    services.move_case(case=case, to=Stage.AGREEMENT, by=by, expected_version=None)
    return case

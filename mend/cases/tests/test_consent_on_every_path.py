"""Consent and safety cover everyone taking part, every purpose and every stage of contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.models import ConsentEntry, Note, Participant, SafetyAssessment
from mend.cases.queries import case_facts
from mend.cases.rules import what_blocks
from mend.cases.stages import Outcome, Stage
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose, ProcessType
from mend.programs.practice import NEEDED_FOR, purposes_for_process
from mend.testing.cases import (
    assess_all,
    consent_all,
    make_specialist,
    parties,
    screen,
    submit,
    to_stage,
)
from mend.testing.forms import sent
from mend.testing.personas import World

Clients = Callable[[str], Client]


def withdraw_consent(world: World, participant: Participant, purpose: str) -> None:
    services.record_consent(
        participant=participant,
        purpose=purpose,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )


def add_supporter(world: World, case, takes_part: bool = True) -> Participant:  # type: ignore[no-untyped-def]
    return services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Sol", family_name="Supporter"),
        role=Participant.Role.SUPPORTER,
        supports=parties(case, Participant.Role.HARMED)[0],
        takes_part=takes_part,
        by=world["facilitator"],
        expected_version=None,
    )


def not_suitable(world: World, participant: Participant) -> None:
    services.record_assessment(
        participant=participant,
        assessed_on=timezone.localdate(),
        result=SafetyAssessment.Result.NOT_SUITABLE,
        answers={"risk_of_harm": "New threats."},
        by=world["facilitator"],
        expected_version=None,
    )


# --- Everyone who takes part ------------------------------------------------------------


def test_a_support_person_taking_part_needs_consent_and_an_assessment_for_the_process(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    supporter = add_supporter(world, case)
    services.choose_process(
        case=case, process=ProcessType.CONFERENCE, by=world["facilitator"], expected_version=None
    )
    assert "Sol Supporter has not been asked for consent to meet face to face." in (
        services.blockers_for(case, Stage.PROCESS)
    )
    consent_all(world, case, ConsentPurpose.CONTACT, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    assert services.blockers_for(case, Stage.PROCESS) == []
    withdraw_consent(world, supporter, ConsentPurpose.FACE_TO_FACE)
    blockers = services.blockers_for(case, Stage.PROCESS)
    assert blockers == ["Sol Supporter withdrew consent to meet face to face."]
    with pytest.raises(services.Blocked):
        services.move_case(
            case=case, to=Stage.PROCESS, by=world["facilitator"], expected_version=None
        )


def test_someone_not_taking_part_needs_no_consent_for_the_process(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    add_supporter(world, case, takes_part=False)
    services.choose_process(
        case=case, process=ProcessType.CONFERENCE, by=world["facilitator"], expected_version=None
    )
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    assert services.blockers_for(case, Stage.PROCESS) == []


# --- Consent to be contacted stops contact ------------------------------------------------


def test_withdrawn_consent_to_be_contacted_refuses_contact_attempts(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    harmed = parties(case, Participant.Role.HARMED)[0]
    withdraw_consent(world, harmed, ConsentPurpose.CONTACT)
    with pytest.raises(services.Blocked) as refused:
        services.record_contact(
            case=case,
            participant=harmed,
            channel=Note.Channel.CALL,
            outcome=Note.ContactOutcome.REACHED,
            body="",
            by=world["facilitator"],
            expected_version=None,
        )
    assert "Hana0 Harmed withdrew consent to be contacted." in refused.value.messages
    assert not Note.objects.filter(case=case, kind=Note.Kind.CONTACT).exists()
    with pytest.raises(services.Blocked):
        services.record_rj_offer(
            participant=harmed,
            offered_on=timezone.localdate(),
            channel="phone",
            response="interested",
            by=world["facilitator"],
            expected_version=None,
        )


def test_the_case_page_offers_no_contact_attempt_with_someone_who_stopped_contact(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.DECLINED,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    client = client_for("facilitator")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Hana0 Harmed declined consent to be contacted. Contact stops." in page
    url = reverse("cases:action", args=[case.reference, "contact"])
    assert f"{url}?participant={harmed.pk}" not in page
    case.refresh_from_db()
    response = client.post(
        f"{url}?participant={harmed.pk}",
        sent(case, channel="call", contact_outcome="reached", body=""),
    )
    # Refused, saying it no longer applies to them, and asking whom it is about.
    assert response.status_code == 409
    assert "This no longer applies to Hana0 Harmed." in response.content.decode()
    assert "Who is it about?" in response.content.decode()
    assert not Note.objects.filter(case=case, kind=Note.Kind.CONTACT).exists()


def test_withdrawn_consent_to_be_contacted_blocks_moving_forward(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    consent_all(world, case, ConsentPurpose.CONTACT)
    withdraw_consent(world, parties(case, Participant.Role.RESPONSIBLE)[0], ConsentPurpose.CONTACT)
    with pytest.raises(services.Blocked) as refused:
        services.move_case(
            case=case, to=Stage.PREPARATION, by=world["facilitator"], expected_version=None
        )
    assert "Rory0 Responsible withdrew consent to be contacted." in refused.value.messages


def test_withdrawn_consent_to_be_contacted_moves_a_case_in_the_process_back(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    withdraw_consent(world, parties(case, Participant.Role.HARMED)[0], ConsentPurpose.CONTACT)
    case.refresh_from_db()
    # Nobody may contact them now, so the case goes back to contact and consent.
    assert case.stage == Stage.CONTACT
    assert case.alert["kind"] == "moved_back"
    assert case.stage_changes.filter(automatic=True, to_stage=Stage.CONTACT).exists()


def test_in_preparation_a_party_refusing_contact_steps_the_case_back(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    withdraw_consent(world, parties(case, Participant.Role.HARMED)[0], ConsentPurpose.CONTACT)
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


# --- Agreement and follow-up keep the conditions for contact ------------------------------


def test_in_agreement_a_withdrawn_consent_to_meet_warns_and_blocks_reconvening(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    withdraw_consent(world, parties(case, Participant.Role.HARMED)[0], ConsentPurpose.FACE_TO_FACE)
    case.refresh_from_db()
    # The agreement stands: the case stays, and the team is warned.
    assert case.stage == Stage.AGREEMENT
    assert case.alert["kind"] == "conditions"
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "The conditions for contact no longer hold" in page
    assert "Hana0 Harmed withdrew consent to meet face to face." in page
    assert Note.objects.filter(case=case, kind=Note.Kind.SYSTEM).exists()
    with pytest.raises(services.Blocked):
        services.move_case(
            case=case, to=Stage.PROCESS, by=world["facilitator"], expected_version=None
        )


def test_in_agreement_a_new_not_suitable_assessment_warns(world: World) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    not_suitable(world, parties(case, Participant.Role.RESPONSIBLE)[0])
    case.refresh_from_db()
    assert case.stage == Stage.AGREEMENT
    assert case.alert["reasons"] == [
        {"code": "not_suitable", "participant": parties(case, "responsible")[0].pk}
    ]
    assert AuditEvent.objects.filter(action="case.conditions_changed").exists()


def test_the_warning_in_agreement_clears_when_consent_is_given_again(world: World) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    withdraw_consent(world, harmed, ConsentPurpose.FACE_TO_FACE)
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    case.refresh_from_db()
    assert case.alert == {}


# --- A pause is the harmed party's ------------------------------------------------------


def test_a_case_paused_at_the_harmed_partys_request_cannot_be_closed_as_completed(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    services.pause_case(
        case=case,
        requested_by=parties(case, Participant.Role.HARMED)[0],
        reason="Needs time.",
        by=world["facilitator"],
        expected_version=None,
    )
    with pytest.raises(services.Blocked):
        services.close_case(
            case=case,
            outcome=Outcome.COMPLETED_WITH_AGREEMENT,
            by=world["facilitator"],
            expected_version=None,
        )
    client = client_for("facilitator")
    form = client.get(reverse("cases:action", args=[case.reference, "close"])).content.decode()
    assert 'value="completed_with_agreement"' not in form
    response = client.post(
        reverse("cases:action", args=[case.reference, "close"]),
        sent(case, outcome=Outcome.COMPLETED_WITH_AGREEMENT, reason=""),
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.stage == Stage.PAUSED
    services.close_case(
        case=case,
        outcome=Outcome.WITHDRAWN_BY_HARMED_PARTY,
        by=world["facilitator"],
        expected_version=None,
    )


# --- A minor's own guardian ---------------------------------------------------------------


def test_a_minors_guardian_consent_must_come_from_their_own_guardian(world: World) -> None:
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    others_guardian = services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Rhea", family_name="Responsible"),
        role=Participant.Role.GUARDIAN,
        supports=responsible,
        by=world["facilitator"],
        expected_version=None,
    )
    with pytest.raises(ValidationError) as refused:
        services.record_consent(
            participant=harmed,
            purpose=ConsentPurpose.CONTACT,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.WRITTEN,
            decided_on=timezone.localdate(),
            guardian=others_guardian,
            by=world["facilitator"],
            expected_version=None,
        )
    assert "guardian" in refused.value.message_dict
    assert not harmed.consent_entries.filter(guardian=others_guardian).exists()


def test_a_consent_form_naming_another_persons_guardian_is_refused_not_recorded_as_their_own(
    world: World, client_for: Callable[[str], Client]
) -> None:
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    others_guardian = services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Rhea", family_name="Responsible"),
        role=Participant.Role.GUARDIAN,
        supports=parties(case, Participant.Role.RESPONSIBLE)[0],
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "consent"])
    response = client_for("facilitator").post(
        f"{url}?participant={harmed.pk}&guardian={others_guardian.pk}",
        sent(case, contact="given", method="verbal", decided_on=date.today()),
    )
    assert response.status_code == 302
    assert not harmed.consent_entries.exists()  # neither the guardian's nor "their own"


def test_a_guardian_entry_for_someone_else_never_counts(world: World) -> None:
    """Even an entry that reached the ledger some other way (an import, older data)."""
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    others_guardian = services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Rhea", family_name="Responsible"),
        role=Participant.Role.GUARDIAN,
        supports=parties(case, Participant.Role.RESPONSIBLE)[0],
        by=world["facilitator"],
        expected_version=None,
    )
    consent_all(world, case, ConsentPurpose.CONTACT)
    ConsentEntry.objects.create(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.GIVEN,
        method=ConsentEntry.Method.WRITTEN,
        decided_on=timezone.localdate(),
        guardian=others_guardian,
        recorded_by=world["facilitator"],
    )
    assert not case_facts(case).consent(harmed, ConsentPurpose.CONTACT)


# --- The restorative justice offer --------------------------------------------------------


def test_a_harmed_partys_consent_to_be_contacted_needs_the_offer_or_records_it(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    with pytest.raises(ValidationError) as refused:
        services.record_consent(
            participant=harmed,
            purpose=ConsentPurpose.CONTACT,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.VERBAL,
            decided_on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        )
    assert "offered_on" in refused.value.message_dict
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.GIVEN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        offer=services.OfferDetails(timezone.localdate(), "phone"),
        by=world["facilitator"],
        expected_version=None,
    )
    offer = harmed.offers.get()
    assert (offer.channel, offer.response) == ("phone", "interested")


def test_a_harmed_party_who_consented_is_no_longer_offer_due(
    world: World, client_for: Clients
) -> None:
    from mend.cases.tests.test_dashboard import panel

    case = to_stage(world, submit(world), Stage.CONTACT)
    client = client_for("coordinator")
    assert case.reference in panel(client, "offers_due")
    consent_all(world, case, ConsentPurpose.CONTACT)
    assert case.reference not in panel(client, "offers_due")


def test_preparation_needs_every_harmed_party_offered_restorative_justice(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    assert "Hana0 Harmed has not been offered restorative justice yet." in (
        services.blockers_for(case, Stage.PREPARATION)
    )


# --- Specialist-only categories -----------------------------------------------------------


def test_a_specialist_only_case_can_be_led_only_by_a_specialist(world: World) -> None:
    case = submit(world, category="domestic_abuse")
    with pytest.raises(ValidationError) as refused:
        services.assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[],
            by=world["coordinator"],
            expected_version=None,
        )
    assert "lead" in refused.value.message_dict
    make_specialist(world)
    screen(world, case, override="The harmed party asked; a trained facilitator leads.")
    services.move_case(case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None)
    assert case.stage == Stage.CONTACT


def test_an_override_does_not_replace_the_specialist(world: World) -> None:
    """Were the lead's specialist mark removed later, the case cannot move on."""
    make_specialist(world)
    case = screen(world, submit(world, category="domestic_abuse"), override="Justified.")
    from mend.programs.services import grant_membership

    grant_membership(user=world["facilitator"], program=world.program, role="facilitator", by=None)
    blockers = services.blockers_for(case, Stage.CONTACT)
    assert any("led by a specialist only" in b for b in blockers)


# --- Every consent purpose is required by something ----------------------------------------


def test_every_consent_purpose_says_what_needs_it() -> None:
    assert set(NEEDED_FOR) == set(ConsentPurpose.values)
    assert all(NEEDED_FOR[purpose] for purpose in ConsentPurpose.values)


def test_every_purpose_but_evaluation_is_required_before_some_process() -> None:
    required = {p for process in ProcessType.values for p in purposes_for_process(process)}
    # Evaluation is asked by the outcome surveys, once a case has ended.
    assert required == set(ConsentPurpose.values) - {ConsentPurpose.EVALUATION}


def test_nothing_a_party_said_goes_to_the_other_side_without_consent_to_share(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    services.choose_process(
        case=case, process=ProcessType.SHUTTLE, by=world["facilitator"], expected_version=None
    )
    consent_all(world, case, ConsentPurpose.INDIRECT)
    assess_all(world, case)
    facts = case_facts(case)
    assert [n.value for n in what_blocks(facts, Stage.PROCESS)] == [
        ConsentPurpose.SHARE_INFORMATION,
        ConsentPurpose.SHARE_INFORMATION,
    ]


# --- An override's justification can be read back ------------------------------------------


def test_coordinators_read_the_override_justification_on_the_case_page(
    world: World, client_for: Clients
) -> None:
    make_specialist(world)
    case = screen(
        world,
        submit(world, category="domestic_abuse"),
        override="JUSTIFICATION: specialist support service agrees.",
    )
    assert (
        "JUSTIFICATION" in client_for("coordinator").get(case.get_absolute_url()).content.decode()
    )
    # Facilitators work the case; the decision to accept the category was not theirs.
    assert "JUSTIFICATION" not in (
        client_for("facilitator").get(case.get_absolute_url()).content.decode()
    )
    event = AuditEvent.objects.get(action="case.category_overridden")
    assert (event.object_type, event.subject_type) == ("cases.eligibilitydecision", "cases.case")

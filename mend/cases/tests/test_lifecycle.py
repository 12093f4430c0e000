"""Each move and each guard of the case lifecycle, through the real services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, ConsentEntry, Participant, Referral, SafetyAssessment
from mend.cases.notices import render_alert
from mend.cases.queries import case_facts
from mend.cases.stages import OPEN, Outcome, Stage
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose, ProcessType
from mend.testing.cases import (
    assess_all,
    consent_all,
    make_specialist,
    parties,
    screen,
    submit,
    to_stage,
)
from mend.testing.personas import World


def test_referral_opens_a_case_with_a_program_reference(world: World) -> None:
    case = submit(world)
    year = timezone.localdate().year
    assert case.reference == f"RIVERSIDE-{year}-0001"
    assert case.stage == Stage.REFERRAL
    assert submit(world).reference == f"RIVERSIDE-{year}-0002"
    assert case.referral.status == Referral.Status.RECEIVED
    assert {p.role for p in parties(case)} == {"harmed", "responsible"}
    assert AuditEvent.objects.filter(action="referral.received").count() == 2


def test_references_are_numbered_per_program(world: World) -> None:
    ours = submit(world)
    theirs = submit(world, program=world.other_program, by=world["outsider"])
    assert ours.number == theirs.number == 1
    assert ours.reference != theirs.reference


def test_a_referral_needs_a_harmed_party(world: World) -> None:
    with pytest.raises(ValidationError):
        submit(world, harmed=0)
    assert not Case.objects.exists()


def test_a_future_incident_date_is_refused(world: World) -> None:
    details = services.ReferralDetails(
        incident_reference="X",
        incident_date=timezone.localdate() + timedelta(days=1),
        offence_category=world.program.offence_categories.get(code="theft"),
        justice_stage="community",
        harmed=[services.PartyDetails(given_name="A", family_name="B")],
    )
    with pytest.raises(ValidationError):
        services.submit_referral(
            program=world.program,
            details=details,
            referrer=services.ReferrerDetails(name="X"),
            agency=None,
            by=None,
        )


def test_screening_then_acceptance_marks_the_referral_accepted(world: World) -> None:
    case = screen(world, submit(world))
    assert case.stage == Stage.SCREENING
    assert Referral.objects.get(pk=case.referral_id).status == Referral.Status.SCREENING
    services.move_case(case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None)
    assert Referral.objects.get(pk=case.referral_id).status == Referral.Status.ACCEPTED


def test_acceptance_needs_eligibility_met(world: World) -> None:
    case = screen(world, submit(world), passed=False)
    with pytest.raises(services.Blocked) as refused:
        services.move_case(
            case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None
        )
    assert "Eligibility has not been confirmed." in refused.value.messages


@pytest.mark.parametrize("category", ["domestic_abuse", "sexual_offence"])
def test_specialist_and_excluded_categories_block_acceptance_without_an_override(
    world: World, category: str
) -> None:
    make_specialist(world)
    case = screen(world, submit(world, category=category))
    with pytest.raises(services.Blocked) as refused:
        services.move_case(
            case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None
        )
    assert "written justification" in " ".join(refused.value.messages)


def test_a_written_override_lets_a_specialist_case_be_accepted_and_is_audited(
    world: World,
) -> None:
    make_specialist(world)
    case = screen(
        world,
        submit(world, category="domestic_abuse"),
        override="Specialist facilitator with domestic abuse training assigned.",
    )
    services.move_case(case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None)
    assert case.stage == Stage.CONTACT
    assert AuditEvent.objects.filter(action="case.category_overridden").exists()


def test_declining_closes_the_case_and_keeps_the_referral(world: World) -> None:
    case = screen(world, submit(world))
    services.decline_referral(
        case=case,
        reason=Referral.DeclineReason.NO_ADMISSION,
        note="Denies being there.",
        by=world["coordinator"],
        expected_version=None,
    )
    referral = Referral.objects.get(pk=case.referral_id)
    assert referral.status == Referral.Status.DECLINED
    assert referral.follow_status == Referral.FollowStatus.DECLINED
    assert referral.follow_outcome == "Responsibility not acknowledged"
    assert case.stage == Stage.CLOSED
    assert case.outcome == Outcome.NOT_ELIGIBLE


def test_contact_to_preparation_needs_both_parties_consent_to_contact(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    with pytest.raises(services.Blocked) as refused:
        services.move_case(
            case=case, to=Stage.PREPARATION, by=world["facilitator"], expected_version=None
        )
    assert refused.value.messages == [
        "Hana0 Harmed has not been offered restorative justice yet.",
        "Hana0 Harmed has not been asked for consent to be contacted.",
        "Rory0 Responsible has not been asked for consent to be contacted.",
    ]
    consent_all(world, case, ConsentPurpose.CONTACT)
    services.move_case(
        case=case, to=Stage.PREPARATION, by=world["facilitator"], expected_version=None
    )


def test_process_needs_a_chosen_process_consent_to_take_part_and_current_suitable_assessments(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    blockers = services.blockers_for(case, Stage.PROCESS)
    assert "The restorative process has not been chosen." in blockers
    assert sum("has no current safety assessment" in b for b in blockers) == 2
    services.choose_process(
        case=case, process=ProcessType.CONFERENCE, by=world["facilitator"], expected_version=None
    )
    blockers = services.blockers_for(case, Stage.PROCESS)
    assert sum("not been asked for consent to meet face to face" in b for b in blockers) == 2
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    assert services.blockers_for(case, Stage.PROCESS) == []
    services.move_case(case=case, to=Stage.PROCESS, by=world["facilitator"], expected_version=None)
    assert case.stage == Stage.PROCESS


def test_letter_exchange_needs_consent_to_indirect_contact_and_sharing_not_to_meet(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    services.choose_process(
        case=case,
        process=ProcessType.LETTER_EXCHANGE,
        by=world["facilitator"],
        expected_version=None,
    )
    consent_all(world, case, ConsentPurpose.INDIRECT)
    assess_all(world, case)
    blockers = services.blockers_for(case, Stage.PROCESS)
    assert sum("consent to share information with the other party" in b for b in blockers) == 2
    consent_all(world, case, ConsentPurpose.SHARE_INFORMATION)
    assert services.blockers_for(case, Stage.PROCESS) == []


def test_an_expired_assessment_is_not_current(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    services.choose_process(
        case=case, process=ProcessType.CONFERENCE, by=world["facilitator"], expected_version=None
    )
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    later = timezone.now() + timedelta(days=91)
    with time_machine.travel(later, tick=False):
        blockers = services.blockers_for(case, Stage.PROCESS)
        assert sum("has no current safety assessment" in b for b in blockers) == 2


def test_a_newer_not_suitable_assessment_replaces_a_suitable_one(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    services.choose_process(
        case=case, process=ProcessType.CONFERENCE, by=world["facilitator"], expected_version=None
    )
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    assess_all(world, case, SafetyAssessment.Result.NOT_SUITABLE)
    blockers = services.blockers_for(case, Stage.PROCESS)
    assert sum("says not suitable" in b for b in blockers) == 2


def test_a_new_not_suitable_assessment_moves_the_case_out_of_the_process(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    services.record_assessment(
        participant=responsible,
        assessed_on=timezone.localdate(),
        result=SafetyAssessment.Result.NOT_SUITABLE,
        answers={"risk_of_harm": "Made threats."},
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION
    assert case.alert["kind"] == "moved_back"
    assert "automatically" in render_alert(case.alert, case_facts(case).reading)
    assert case.stage_changes.filter(automatic=True, to_stage=Stage.PREPARATION).exists()
    assert AuditEvent.objects.filter(action="case.moved_automatically").exists()


def test_withdrawn_consent_moves_the_case_out_of_the_process(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    harmed = parties(case, Participant.Role.HARMED)[0]
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.FACE_TO_FACE,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION
    assert case.alert


def test_a_minor_needs_a_guardians_consent_too(world: World) -> None:
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    consent_all(world, case, ConsentPurpose.CONTACT)
    blockers = services.blockers_for(case, Stage.PREPARATION)
    assert blockers == [
        "Hana0 Harmed is under 18 and has no parent or guardian in the case.",
        "Hana0 Harmed is under 18: their parent or guardian has not given consent to be contacted.",
    ]
    harmed = parties(case, Participant.Role.HARMED)[0]
    guardian = services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Gale", family_name="Harmed"),
        role=Participant.Role.GUARDIAN,
        supports=harmed,
        by=world["facilitator"],
        expected_version=None,
    )
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.GIVEN,
        method=ConsentEntry.Method.WRITTEN,
        decided_on=timezone.localdate(),
        guardian=guardian,
        by=world["facilitator"],
        expected_version=None,
    )
    # The guardian takes part too, so they need to agree to be contacted themselves.
    assert services.blockers_for(case, Stage.PREPARATION) == [
        "Gale Harmed has not been asked for consent to be contacted."
    ]
    consent_all(world, case, ConsentPurpose.CONTACT)
    assert services.blockers_for(case, Stage.PREPARATION) == []


def test_support_people_need_someone_to_support(world: World) -> None:
    case = submit(world)
    with pytest.raises(ValidationError):
        services.add_participant(
            case=case,
            party=services.PartyDetails(given_name="S", family_name="P"),
            role=Participant.Role.SUPPORTER,
            by=world["facilitator"],
            expected_version=None,
        )


@pytest.mark.parametrize("stage", sorted(OPEN - {Stage.PAUSED}))
@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        (Participant.Role.HARMED, Outcome.WITHDRAWN_BY_HARMED_PARTY),
        (Participant.Role.RESPONSIBLE, Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY),
    ],
)
def test_withdrawal_of_the_last_party_of_a_side_ends_the_case_from_any_open_stage(
    world: World, stage: str, role: str, outcome: str
) -> None:
    case = to_stage(world, submit(world), stage)
    services.withdraw_participant(
        participant=parties(case, role)[0],
        method="verbal",
        reason="Does not want to go on.",
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.WITHDRAWN
    assert case.outcome == outcome
    assert case.closed_at is not None


def test_withdrawal_from_a_paused_case_ends_it_too(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    harmed = parties(case, Participant.Role.HARMED)[0]
    services.pause_case(
        case=case,
        requested_by=harmed,
        reason="Needs time.",
        by=world["facilitator"],
        expected_version=None,
    )
    services.withdraw_participant(
        participant=harmed,
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.WITHDRAWN
    assert case.paused_by is None


def test_withdrawal_of_one_of_two_harmed_parties_keeps_the_case_open(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.CONTACT)
    first = parties(case, Participant.Role.HARMED)[0]
    services.withdraw_participant(
        participant=first,
        method="written",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_withdrawing_records_withdrawn_consent_entries_in_the_ledger(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PREPARATION)
    first = parties(case, Participant.Role.HARMED)[0]
    services.withdraw_participant(
        participant=first,
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    last = first.consent_entries.order_by("-recorded_at", "-id").first()
    assert last is not None and last.decision == ConsentEntry.Decision.WITHDRAWN
    assert first.consent_entries.count() == 2  # given, then withdrawn: nothing edited


def test_only_a_harmed_party_can_pause_and_only_they_can_resume(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PREPARATION)
    first, second = parties(case, Participant.Role.HARMED)
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    with pytest.raises(services.Blocked):
        services.pause_case(
            case=case,
            requested_by=responsible,
            reason="",
            by=world["facilitator"],
            expected_version=None,
        )
    services.pause_case(
        case=case,
        requested_by=first,
        reason="Exams.",
        by=world["facilitator"],
        expected_version=None,
    )
    assert case.stage == Stage.PAUSED
    with pytest.raises(services.Blocked):
        services.resume_case(
            case=case, requested_by=second, by=world["facilitator"], expected_version=None
        )
    services.resume_case(
        case=case, requested_by=first, by=world["facilitator"], expected_version=None
    )
    assert case.stage == Stage.PREPARATION


def test_closing_needs_an_outcome_and_completion_needs_the_process(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    with pytest.raises(ValidationError):
        services.close_case(case=case, outcome="", by=world["facilitator"], expected_version=None)
    with pytest.raises(services.Blocked):
        services.close_case(
            case=case,
            outcome=Outcome.COMPLETED_WITH_AGREEMENT,
            by=world["facilitator"],
            expected_version=None,
        )
    services.close_case(
        case=case, outcome=Outcome.UNABLE_TO_CONTACT, by=world["facilitator"], expected_version=None
    )
    assert case.stage == Stage.CLOSED
    assert Referral.objects.get(pk=case.referral_id).follow_outcome == "Unable to contact"


def test_a_completed_case_closes_from_agreement(world: World) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    services.close_case(
        case=case,
        outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT,
        by=world["facilitator"],
        expected_version=None,
    )
    referral = Referral.objects.get(pk=case.referral_id)
    assert referral.follow_status == Referral.FollowStatus.CLOSED


def test_moves_outside_the_table_are_refused(world: World) -> None:
    case = submit(world)
    with pytest.raises(services.InvalidMove):
        services.move_case(
            case=case, to=Stage.PROCESS, by=world["coordinator"], expected_version=None
        )
    case = to_stage(world, submit(world), Stage.CONTACT)
    with pytest.raises(services.InvalidMove):
        services.move_case(
            case=case, to=Stage.AGREEMENT, by=world["coordinator"], expected_version=None
        )


def test_every_move_is_on_the_timeline_with_actor_and_reason(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    services.move_case(
        case=case,
        to=Stage.CONTACT,
        by=world["facilitator"],
        reason="Harmed party unsure.",
        expected_version=None,
    )
    change = case.stage_changes.order_by("-id").first()
    assert change is not None
    assert (change.from_stage, change.to_stage) == (Stage.PREPARATION, Stage.CONTACT)
    assert change.by == world["facilitator"]
    assert change.reason == "Harmed party unsure."


def test_a_stale_version_is_refused_and_nothing_changes(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    stale = case.version - 1
    with pytest.raises(services.StaleCase):
        services.close_case(
            case=case,
            outcome=Outcome.UNABLE_TO_CONTACT,
            by=world["facilitator"],
            expected_version=stale,
        )
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_a_closed_case_has_no_open_moves(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    services.close_case(
        case=case,
        outcome=Outcome.REFERRED_ELSEWHERE,
        by=world["facilitator"],
        expected_version=None,
    )
    with pytest.raises(services.InvalidMove):
        services.close_case(
            case=case,
            outcome=Outcome.UNABLE_TO_CONTACT,
            by=world["facilitator"],
            expected_version=None,
        )
    with pytest.raises(services.InvalidMove):
        services.move_case(
            case=case, to=Stage.PREPARATION, by=world["facilitator"], expected_version=None
        )


def test_rotating_keys_keeps_contact_details_readable(world: World) -> None:
    from django.core.management import call_command
    from django.test import override_settings

    from mend.core import crypto
    from mend.testing.cases import CANARY_PHONE

    case = submit(world)
    person = parties(case, Participant.Role.HARMED)[0].person
    old_keys = list(settings_keys())
    new_key = ("k2", bytes(range(32)))
    with override_settings(MEND_FIELD_KEYS=[new_key, *old_keys]):
        call_command("rotate_field_keys", verbosity=0)
        person.refresh_from_db()
        assert person.phone == CANARY_PHONE
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM cases_person WHERE id = %s", [person.pk])
            assert crypto.key_id_of(cursor.fetchone()[0]) == "k2"
    with override_settings(MEND_FIELD_KEYS=[new_key]):
        person.refresh_from_db()
        assert person.phone == CANARY_PHONE


def settings_keys() -> list[tuple[str, bytes]]:
    from django.conf import settings

    return [tuple(k) for k in settings.MEND_FIELD_KEYS]  # type: ignore[misc]


def test_daily_safety_check_moves_cases_whose_assessments_expired(world: World) -> None:
    from django.core.management import call_command

    case = to_stage(world, submit(world), Stage.PROCESS)
    call_command("check_case_safety", verbosity=0)
    case.refresh_from_db()
    assert case.stage == Stage.PROCESS
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        call_command("check_case_safety", verbosity=0)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION
    assert case.stage_changes.filter(automatic=True).exists()


def test_a_withdrawn_guardians_consent_no_longer_counts(world: World) -> None:
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    guardian = services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Gale", family_name="Harmed"),
        role=Participant.Role.GUARDIAN,
        supports=harmed,
        by=world["facilitator"],
        expected_version=None,
    )
    consent_all(world, case, ConsentPurpose.CONTACT)
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.GIVEN,
        method=ConsentEntry.Method.WRITTEN,
        decided_on=timezone.localdate(),
        guardian=guardian,
        by=world["facilitator"],
        expected_version=None,
    )
    assert services.blockers_for(case, Stage.PREPARATION) == []
    services.withdraw_participant(
        participant=guardian,
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    assert services.blockers_for(case, Stage.PREPARATION)
    with pytest.raises(ValidationError):
        services.record_consent(
            participant=harmed,
            purpose=ConsentPurpose.CONTACT,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.WRITTEN,
            decided_on=timezone.localdate(),
            guardian=guardian,
            by=world["facilitator"],
            expected_version=None,
        )


def test_when_the_person_who_paused_withdraws_the_case_resumes_for_the_others(
    world: World,
) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PREPARATION)
    first, _second = parties(case, Participant.Role.HARMED)
    services.pause_case(
        case=case, requested_by=first, reason="", by=world["facilitator"], expected_version=None
    )
    services.withdraw_participant(
        participant=first,
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION
    assert case.paused_by is None and case.paused_from == ""


def test_closing_a_paused_case_clears_the_pause(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    services.pause_case(
        case=case, requested_by=harmed, reason="", by=world["facilitator"], expected_version=None
    )
    services.close_case(
        case=case, outcome=Outcome.UNABLE_TO_CONTACT, by=world["facilitator"], expected_version=None
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.paused_by is None and case.paused_from == ""

"""Meetings are planned, confirmed and held only when the practice rules allow it, and a
change that ends what allowed them cancels them at once."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, ConsentEntry, Participant
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.processes import services
from mend.processes.models import Meeting
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
from mend.testing.forms import sent
from mend.testing.meetings import plan
from mend.testing.personas import World

Clients = Callable[[str], Client]


def _in_process(world: World, **kwargs: object) -> Case:
    return to_stage(world, submit(world, **kwargs), Stage.PROCESS)  # type: ignore[arg-type]


def _refusal(world: World, case: Case, **kwargs: object) -> list[str]:
    with pytest.raises(Blocked) as refused:
        plan(world, case, **kwargs)  # type: ignore[arg-type]
    return refused.value.messages


def _withdraw_consent(world: World, participant: Participant, purpose: str) -> None:
    cases.record_consent(
        participant=participant,
        purpose=purpose,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )


# --- Gates ----------------------------------------------------------------------------


def test_a_joint_meeting_needs_each_invitees_consent_to_meet_face_to_face(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PROCESS)
    case.refresh_from_db()
    extra = cases.add_participant(
        case=case,
        party=cases.PartyDetails(given_name="Cam", family_name="Member"),
        role=Participant.Role.COMMUNITY,
        takes_part=False,
        by=world["facilitator"],
        expected_version=None,
    )
    messages = _refusal(world, case, invitees=[*parties(case, "harmed"), extra])
    assert "Cam Member has not been asked for consent to meet face to face." in messages
    assert "Cam Member has no current safety assessment." in messages
    assert not Meeting.objects.exists()


def test_a_preparation_meeting_needs_consent_to_be_contacted_only(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    harmed = parties(case, "harmed")[0]
    # Consent to be contacted is there, face to face not asked: a preparation meeting may go
    # ahead once the person is assessed.
    messages = _refusal(world, case, kind=ProcessType.PREPARATION, invitees=[harmed])
    assert messages == ["Hana0 Harmed has no current safety assessment."]
    assess_all(world, case)
    meeting = plan(world, case, kind=ProcessType.PREPARATION, invitees=[harmed])
    assert meeting.status == Meeting.Status.PLANNED


def test_a_meeting_needs_a_current_suitable_assessment_of_each_invitee(world: World) -> None:
    case = _in_process(world)
    responsible = parties(case, "responsible")[0]
    cases.record_assessment(
        participant=responsible,
        assessed_on=timezone.localdate(),
        result="not_suitable",
        answers={},
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION  # the case stepped back; a prep meeting is refused
    messages = _refusal(world, case, kind=ProcessType.PREPARATION, invitees=[responsible])
    assert messages == ["Rory0 Responsible's latest safety assessment says not suitable."]


def _minor_in_process(world: World) -> tuple[Case, Participant, Participant]:
    young = date.today().replace(year=date.today().year - 15)
    case = to_stage(world, submit(world, harmed_born=young), Stage.CONTACT)
    harmed = parties(case, Participant.Role.HARMED)[0]
    guardian = cases.add_participant(
        case=case,
        party=cases.PartyDetails(given_name="Gale", family_name="Harmed"),
        role=Participant.Role.GUARDIAN,
        supports=harmed,
        by=world["facilitator"],
        expected_version=None,
    )
    for purpose in (ConsentPurpose.CONTACT, ConsentPurpose.FACE_TO_FACE):
        cases.record_consent(
            participant=harmed,
            purpose=purpose,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.WRITTEN,
            decided_on=timezone.localdate(),
            guardian=guardian,
            offer=cases.OfferDetails(timezone.localdate(), "phone"),
            by=world["facilitator"],
            expected_version=None,
        )
    by = world["facilitator"]
    consent_all(world, case, ConsentPurpose.CONTACT)
    cases.move_case(case=case, to=Stage.PREPARATION, by=by, expected_version=None)
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    cases.choose_process(case=case, process="conference", by=by, expected_version=None)
    cases.move_case(case=case, to=Stage.PROCESS, by=by, expected_version=None)
    return case, harmed, guardian


def test_a_minor_meets_only_with_their_guardian_invited(world: World) -> None:
    case, harmed, guardian = _minor_in_process(world)
    assert case.stage == Stage.PROCESS
    responsible = parties(case, "responsible")[0]
    messages = _refusal(world, case, invitees=[harmed, responsible])
    assert messages == ["Hana0 Harmed is under 18: their parent or guardian must be invited too."]
    meeting = plan(world, case, invitees=[harmed, guardian, responsible])
    assert meeting.invitees.count() == 3


def _specialist_case(world: World) -> Case:
    make_specialist(world)
    case = submit(world, category="domestic_abuse")
    screen(world, case, override="The specialist team takes this case.")
    return to_stage(world, case, Stage.PROCESS)


def test_in_a_specialist_only_category_each_party_is_prepared_before_a_joint_meeting(
    world: World,
) -> None:
    case = _specialist_case(world)
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    messages = _refusal(world, case)
    assert messages == [
        "Hana0 Harmed has had no preparation meeting held yet: in cases of “Domestic abuse” "
        "each party meets staff on their own before any joint meeting.",
        "Rory0 Responsible has had no preparation meeting held yet: in cases of “Domestic "
        "abuse” each party meets staff on their own before any joint meeting.",
    ]
    earlier = timezone.now() - timedelta(days=2)
    for i, party in enumerate([harmed, responsible]):
        prep = plan(
            world,
            case,
            kind=ProcessType.PREPARATION,
            invitees=[party],
            starts_at=earlier + timedelta(hours=2 * i),
        )
        # Planned is not enough: it must have been held.
        if i == 0:
            assert len(_refusal(world, case)) == 2
        services.mark_held(
            case=case,
            meeting=prep,
            attended={party.pk: True},
            duration_minutes=45,
            by=world["facilitator"],
            expected_version=None,
        )
    assert plan(world, case).is_joint


def test_a_preparation_meeting_is_with_one_party_only(world: World) -> None:
    case = _in_process(world)
    messages = _refusal(world, case, kind=ProcessType.PREPARATION)
    assert messages == ["A preparation meeting is with one party and their support people only."]


def test_a_shuttle_round_meets_one_side_at_a_time(world: World) -> None:
    case = _in_process(world)
    for purpose in (ConsentPurpose.INDIRECT, ConsentPurpose.SHARE_INFORMATION):
        consent_all(world, case, purpose)
    case.refresh_from_db()
    messages = _refusal(world, case, kind=ProcessType.SHUTTLE)
    assert messages == [
        "In a shuttle round the facilitator meets one side at a time: invite one party and "
        "their support people."
    ]
    for side in ("harmed", "responsible"):
        meeting = plan(
            world,
            case,
            kind=ProcessType.SHUTTLE,
            invitees=parties(case, side),
            starts_at=timezone.now() + timedelta(days=2 if side == "harmed" else 3),
        )
        assert not meeting.is_joint
        case.refresh_from_db()


def test_confirming_and_holding_check_the_gates_again(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(hours=2))
    # A meeting already under way is not cancelled automatically, but it cannot be held.
    _withdraw_consent(world, parties(case, "harmed")[0], ConsentPurpose.FACE_TO_FACE)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    for attempt in (services.confirm_meeting, services.mark_held):
        kwargs = {"attended": {}, "duration_minutes": 30} if attempt is services.mark_held else {}
        with pytest.raises(Blocked) as refused:
            attempt(
                case=case, meeting=meeting, by=world["facilitator"], expected_version=None, **kwargs
            )  # type: ignore[operator]
        assert "Hana0 Harmed withdrew consent to meet face to face." in refused.value.messages


def test_the_page_shows_the_refusal_sentence_and_saves_nothing(
    world: World, client_for: Clients
) -> None:
    case = _specialist_case(world)
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "meeting"]),
        sent(
            case,
            kind="conference",
            starts_at=f"{day}T10:00",
            ends_at=f"{day}T11:00",
            venue_kind="room",
            venue="Room 1",
            lead=world["facilitator"].pk,
            invitees=[p.pk for p in parties(case)],
        ),
    )
    assert response.status_code == 409
    assert "Hana0 Harmed has had no preparation meeting held yet" in response.content.decode()
    assert not Meeting.objects.exists()


def _page_refusal(
    world: World, client_for: Clients, case: Case, kind: str, invitees: list[Participant]
) -> str:
    case.refresh_from_db()
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "meeting"]),
        sent(
            case,
            kind=kind,
            starts_at=f"{day}T10:00",
            ends_at=f"{day}T11:00",
            venue_kind="video",
            venue="https://video.example.org/r",
            lead=world["facilitator"].pk,
            invitees=[p.pk for p in invitees],
        ),
    )
    assert response.status_code == 409, response.content.decode()[:3000]
    assert not Meeting.objects.filter(case=case).exists()
    return response.content.decode()


def _gate_consent(world: World) -> tuple[Case, str, list[Participant], str]:
    case = _in_process(world)
    extra = cases.add_participant(
        case=case,
        party=cases.PartyDetails(given_name="Cam", family_name="Member"),
        role=Participant.Role.COMMUNITY,
        takes_part=False,
        by=world["facilitator"],
        expected_version=None,
    )
    return (
        case,
        "conference",
        [*parties(case), extra],
        ("Cam Member has not been asked for consent to meet face to face."),
    )


def _gate_assessment(world: World) -> tuple[Case, str, list[Participant], str]:
    case, kind, people, _sentence = _gate_consent(world)
    return case, kind, people, "Cam Member has no current safety assessment."


def _gate_guardian(world: World) -> tuple[Case, str, list[Participant], str]:
    case, harmed, _guardian = _minor_in_process(world)
    return (
        case,
        "conference",
        [harmed, *parties(case, "responsible")],
        ("Hana0 Harmed is under 18: their parent or guardian must be invited too."),
    )


def _gate_specialist(world: World) -> tuple[Case, str, list[Participant], str]:
    case = _specialist_case(world)
    return (
        case,
        "conference",
        parties(case),
        ("Hana0 Harmed has had no preparation meeting held yet"),
    )


def _gate_order(world: World) -> tuple[Case, str, list[Participant], str]:
    from mend.cases.models import ProtectiveOrder

    case = _in_process(world)
    cases.record_order(
        participant=parties(case, "responsible")[0],
        kind=ProtectiveOrder.Kind.NO_CONTACT,
        starts_on=timezone.localdate() - timedelta(days=3),
        by=world["facilitator"],
        expected_version=None,
    )
    return (
        case,
        "conference",
        parties(case),
        (
            "Rory0 Responsible has an active no-contact order: a joint meeting needs a "
            "coordinator's record that the order permits it."
        ),
    )


def _gate_one_party(world: World) -> tuple[Case, str, list[Participant], str]:
    case = _in_process(world)
    return (
        case,
        "preparation",
        parties(case),
        ("A preparation meeting is with one party and their support people only."),
    )


@pytest.mark.parametrize(
    "gate",
    [
        _gate_consent,
        _gate_assessment,
        _gate_guardian,
        _gate_specialist,
        _gate_order,
        _gate_one_party,
    ],
    ids=["consent", "assessment", "guardian", "specialist", "order", "one_party"],
)
def test_each_gate_refuses_on_the_page_with_its_sentence_and_saves_nothing(
    world: World,
    client_for: Clients,
    gate: Callable[[World], tuple[Case, str, list[Participant], str]],
) -> None:
    case, kind, invitees, sentence = gate(world)
    page = _page_refusal(world, client_for, case, kind, invitees)
    assert html.escape(sentence) in page


def test_a_form_with_a_nonsense_time_is_refused_by_field(world: World, client_for: Clients) -> None:
    case = _in_process(world)
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "meeting"]),
        sent(
            case,
            kind="conference",
            starts_at="99999-01-01T10:00",
            ends_at="1850-01-01T09:00",
            venue_kind="room",
            lead=world["facilitator"].pk,
            invitees=[p.pk for p in parties(case)],
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a date and time, such as 2026-03-14 18:30." in body
    assert "Enter a date in 1900 or later." in body
    assert not Meeting.objects.exists()


# --- Automatic cancellation -------------------------------------------------------------


def _cancelled_because(meeting: Meeting) -> str:
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert AuditEvent.objects.filter(
        action="meeting.cancelled_automatically", object_id=str(meeting.pk)
    ).exists()
    return meeting.cancel_reason


def test_a_withdrawal_cancels_the_future_meetings_of_that_person(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PROCESS)
    first, second = parties(case, "harmed")
    responsible = parties(case, "responsible")[0]
    theirs = plan(world, case, invitees=[first, responsible])
    others = plan(
        world, case, invitees=[second, responsible], starts_at=timezone.now() + timedelta(days=3)
    )
    past = plan(world, case, invitees=[first], starts_at=timezone.now() - timedelta(days=1))
    cases.withdraw_participant(
        participant=first,
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    assert _cancelled_because(theirs) == Meeting.CancelReason.WITHDRAWAL
    others.refresh_from_db()
    past.refresh_from_db()
    assert others.status == past.status == Meeting.Status.PLANNED


def test_consent_withdrawn_cancels_the_future_joint_meetings(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    _withdraw_consent(world, parties(case, "responsible")[0], ConsentPurpose.FACE_TO_FACE)
    assert _cancelled_because(meeting) == Meeting.CancelReason.CONSENT


def test_a_not_suitable_assessment_cancels_the_future_meetings(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    cases.record_assessment(
        participant=parties(case, "harmed")[0],
        assessed_on=timezone.localdate(),
        result="not_suitable",
        answers={},
        by=world["facilitator"],
        expected_version=None,
    )
    assert _cancelled_because(meeting) == Meeting.CancelReason.NOT_SUITABLE


def test_a_pause_cancels_every_future_meeting(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    cases.pause_case(
        case=case,
        requested_by=parties(case, "harmed")[0],
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    assert _cancelled_because(meeting) == Meeting.CancelReason.PAUSED


# --- Clashes --------------------------------------------------------------------------


def test_a_lead_booked_at_the_same_time_is_refused_with_the_other_time(world: World) -> None:
    world.program.time_zone = "Europe/Madrid"
    world.program.save()
    case, other = _in_process(world), _in_process(world)
    start = datetime(2028, 6, 5, 8, 0, tzinfo=ZoneInfo("UTC"))
    plan(world, other, starts_at=start, hours=2)
    messages = _refusal(
        world, case, starts_at=start + timedelta(hours=1), invitees=parties(case, "harmed")
    )
    # 08:00 UTC is 10:00 in Madrid in June.
    assert messages == [
        "Facilitator is already leading a meeting from 5 Jun 2028, 10:00 to 5 Jun 2028, 12:00."
    ]


def test_a_person_booked_at_the_same_time_is_refused_with_the_other_time(world: World) -> None:
    case = _in_process(world)
    harmed = parties(case, "harmed")[0]
    start = datetime(2028, 6, 5, 8, 0, tzinfo=ZoneInfo("UTC"))
    plan(world, case, starts_at=start, invitees=[harmed])
    messages = _refusal(
        world, case, starts_at=start + timedelta(minutes=30), lead=world["coordinator"]
    )
    assert messages == [
        "Hana0 Harmed is already invited to a meeting from 5 Jun 2028, 08:00 to 5 Jun 2028, 09:00."
    ]
    # Back to back is not a clash.
    assert plan(world, case, starts_at=start + timedelta(hours=1), invitees=[harmed])


# --- Time ----------------------------------------------------------------------------


def test_times_are_stored_in_utc_and_shown_on_the_programs_clock_across_a_dst_change(
    world: World, client_for: Clients
) -> None:
    world.program.time_zone = "Europe/London"
    world.program.save()
    case = _in_process(world)
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "meeting"])
    for day in ("2028-03-25", "2028-03-27"):  # the clocks go forward on 26 March 2028
        case.refresh_from_db()
        response = client.post(
            url,
            sent(
                case,
                kind="mediation" if day == "2028-03-25" else "conference",
                starts_at=f"{day}T10:00",
                ends_at=f"{day}T11:00",
                venue_kind="video",
                venue="https://meet.example.org/abc",
                lead=world["facilitator"].pk,
                invitees=[p.pk for p in parties(case)],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    before, after = Meeting.objects.order_by("starts_at")
    assert before.starts_at == datetime(2028, 3, 25, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert after.starts_at == datetime(2028, 3, 27, 9, 0, tzinfo=ZoneInfo("UTC"))
    page = client.get(case.get_absolute_url()).content.decode()
    assert "25 Mar 2028, 10:00" in page
    assert "27 Mar 2028, 10:00" in page


def test_a_time_the_clocks_skip_is_refused_with_a_message_that_says_so() -> None:
    from django.core.exceptions import ValidationError

    from mend.processes.forms import LocalDateTimeField

    field = LocalDateTimeField(zone="Europe/London")
    with pytest.raises(ValidationError) as refused:
        field.clean("2028-03-26T01:30")  # 01:00 to 02:00 never happens in London that day
    assert "skips this time" in " ".join(refused.value.messages)
    assert field.clean("2028-03-26T02:30") == datetime(2028, 3, 26, 1, 30, tzinfo=ZoneInfo("UTC"))


# --- The case page --------------------------------------------------------------------


def _page_queries(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_queries_with_2_or_20_meetings(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    client = client_for("facilitator")
    start = timezone.now() + timedelta(days=5)
    for i in range(2):
        plan(world, case, starts_at=start + timedelta(hours=2 * i))
    few = _page_queries(client, case)
    for i in range(2, 20):
        plan(world, case, starts_at=start + timedelta(hours=2 * i))
    assert _page_queries(client, case) == few


def test_the_case_page_lists_meetings_and_offers_their_actions(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert 'id="meetings-heading"' in page
    assert f"?meeting={meeting.pk}" in page
    assert reverse("cases:action", args=[case.reference, "meeting"]) in page
    # A volunteer sees the meetings but may not plan or cancel them.
    volunteer = client_for("volunteer")
    case.assignments.get_or_create(user=world["volunteer"], role="volunteer")
    shown = volunteer.get(case.get_absolute_url()).content.decode()
    assert 'id="meetings-heading"' in shown
    assert f"?meeting={meeting.pk}" not in shown


def test_holding_a_meeting_records_attendance_through_the_page(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(hours=2))
    harmed = parties(case, "harmed")[0]
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "meeting_held"]) + f"?meeting={meeting.pk}"
    client = client_for("facilitator")
    assert client.get(url).status_code == 200
    response = client.post(
        url, sent(case, meeting=meeting.pk, attended=[harmed.pk], duration_minutes=50)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.duration_minutes) == (Meeting.Status.HELD, 50)
    assert dict(meeting.invitees.values_list("participant_id", "attended")) == {
        harmed.pk: True,
        parties(case, "responsible")[0].pk: False,
    }
    timeline = client.get(case.get_absolute_url()).content.decode()
    assert "Restorative conference of" in timeline and "held" in timeline

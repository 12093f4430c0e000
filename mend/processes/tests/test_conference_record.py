"""The conference record, confirming a meeting from the page, and the stage rules that
read meetings: agreement needs a joint meeting held or a letter delivered; closing as
completed needs every held meeting's attendance and duration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case
from mend.cases.services import Blocked, CaseRuleError
from mend.cases.stages import Outcome, Stage
from mend.core.models import AuditEvent
from mend.processes import record_services, services
from mend.processes.models import ConferenceRecord, Meeting, MeetingInvitee
from mend.processes.record_services import ConferenceDetails
from mend.testing.cases import parties, submit, to_stage
from mend.testing.forms import sent
from mend.testing.letters import approve, deliver, letters_case, write
from mend.testing.meetings import held, plan
from mend.testing.personas import World

Clients = Callable[[str], Client]
CANARY = "CANARY-RECORD-the-bruise-on-her-arm"
NO_CONTACT = "No joint meeting has been held and no letter or message delivered yet"


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _forward(world: World, case: Case) -> Case:
    case.refresh_from_db()
    return cases.move_case(
        case=case, to=Stage.AGREEMENT, by=world["facilitator"], expected_version=None
    )


def _record(world: World, case: Case, meeting: Meeting, **kwargs: object) -> ConferenceRecord:
    details = ConferenceDetails(
        speakers=tuple(p.pk for p in parties(case)),
        harms=CANARY,
        needs={parties(case, "harmed")[0].pk: "An apology."},
        obligations="Repay the bicycle.",
        agreed="Apology and repayment.",
    )
    return record_services.record_conference(
        case=case,
        meeting=meeting,
        details=details,
        by=world["facilitator"],
        expected_version=None,
        **kwargs,  # type: ignore[arg-type]
    )


def _close_completed(world: World, case: Case) -> Case:
    case.refresh_from_db()
    return cases.close_case(
        case=case,
        outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT,
        by=world["facilitator"],
        expected_version=None,
    )


# --- Agreement needs the parties to have met or communicated ---------------------------


def test_agreement_is_refused_without_a_joint_meeting_held_or_a_letter_delivered(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    # A preparation meeting held, or a joint meeting only planned, is not enough.
    held(world, case, kind="preparation", invitees=parties(case, "harmed"))
    plan(world, case)
    with pytest.raises(Blocked) as refused:
        _forward(world, case)
    assert any(NO_CONTACT in m for m in refused.value.messages)
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert NO_CONTACT in page
    world["facilitator"].preferred_language = "es"
    world["facilitator"].save(update_fields=["preferred_language"])
    spanish = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "Todavía no se ha celebrado ninguna reunión conjunta" in spanish


def test_agreement_is_allowed_after_a_joint_meeting_was_held(world: World) -> None:
    case = _in_process(world)
    held(world, case)
    assert _forward(world, case).stage == Stage.AGREEMENT


def test_agreement_is_allowed_after_a_letter_was_delivered(world: World) -> None:
    case = letters_case(world)
    deliver(world, case, approve(world, case, write(world, case)))
    assert _forward(world, case).stage == Stage.AGREEMENT


# --- Closing as completed needs the session log whole -----------------------------------


def test_closing_as_completed_is_refused_when_a_held_meeting_lacks_attendance_or_duration(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    meeting = Meeting.objects.get(case=case, status=Meeting.Status.HELD)
    # Arranged directly: the service always records both, older data may not have.
    Meeting.objects.filter(pk=meeting.pk).update(duration_minutes=None)
    MeetingInvitee.objects.filter(meeting=meeting).update(attended=None)
    with pytest.raises(Blocked) as refused:
        _close_completed(world, case)
    when = services.local_time(meeting.starts_at, case)
    assert refused.value.messages == [
        f"The meeting held on {when} has no attendance recorded: record who came before "
        "closing the case as completed.",
        f"The meeting held on {when} has no duration recorded: record how long it lasted "
        "before closing the case as completed.",
    ]
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert 'id="completion-blockers"' in page
    assert "has no duration recorded" in page
    # Closing as not completed is not held up by the log.
    case.refresh_from_db()
    closed = cases.close_case(
        case=case,
        outcome=Outcome.REFERRED_ELSEWHERE,
        by=world["facilitator"],
        expected_version=None,
    )
    assert closed.stage == Stage.CLOSED


def test_closing_as_completed_is_allowed_when_every_held_meeting_is_recorded(
    world: World,
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    assert _close_completed(world, case).stage == Stage.CLOSED


# --- The conference record --------------------------------------------------------------


def test_a_conference_record_is_kept_only_for_a_joint_meeting_that_was_held(
    world: World,
) -> None:
    case = _in_process(world)
    planned = plan(world, case)
    preparation = held(world, case, kind="preparation", invitees=parties(case, "harmed"))
    for meeting in (planned, preparation):
        with pytest.raises(Blocked):
            _record(world, case, meeting)
    assert not ConferenceRecord.objects.exists()
    record = _record(world, case, held(world, case))
    assert record.harms == CANARY
    assert [n.text for n in record.needs.all()] == ["An apology."]
    assert AuditEvent.objects.filter(action="conference.recorded").count() == 1


def test_only_people_who_came_can_be_recorded_as_speaking(world: World) -> None:
    case = _in_process(world)
    responsible = parties(case, "responsible")[0]
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(hours=3))
    services.mark_held(
        case=case,
        meeting=meeting,
        attended={responsible.pk: False, parties(case, "harmed")[0].pk: True},
        duration_minutes=60,
        by=world["facilitator"],
        expected_version=None,
    )
    with pytest.raises(ValidationError) as refused:
        _record(world, case, meeting)
    assert "speakers" in refused.value.message_dict


def test_a_change_to_the_record_needs_the_version_it_was_opened_on(world: World) -> None:
    case = _in_process(world)
    meeting = held(world, case)
    record = _record(world, case, meeting)
    with pytest.raises(CaseRuleError):
        record_services.record_conference(
            case=case,
            meeting=meeting,
            details=ConferenceDetails(harms="Changed."),
            by=world["facilitator"],
            expected_version=None,
            record_version=record.version + 1,
        )
    changed = record_services.record_conference(
        case=case,
        meeting=meeting,
        details=ConferenceDetails(harms="Changed."),
        by=world["facilitator"],
        expected_version=None,
        record_version=record.version,
    )
    assert (changed.version, changed.harms) == (2, "Changed.")
    event = AuditEvent.objects.get(action="conference.record_changed")
    assert "harms" in event.changed_fields


def test_the_record_is_written_through_the_page(world: World, client_for: Clients) -> None:
    case = _in_process(world)
    meeting = held(world, case)
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    case.refresh_from_db()
    url = (
        reverse("cases:action", args=[case.reference, "conference_record"])
        + f"?meeting={meeting.pk}"
    )
    client = client_for("facilitator")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        sent(
            case,
            meeting=meeting.pk,
            speakers=[harmed.pk],
            harms=CANARY,
            **{f"needs_{responsible.pk}": "Work to repay."},
            obligations="",
            agreed="An apology.",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ConferenceRecord.objects.get(meeting=meeting)
    assert list(record.speakers.all()) == [harmed]
    page = client.get(case.get_absolute_url()).content.decode()
    assert CANARY in page and "Work to repay." in page


def test_a_stale_record_form_saves_nothing(world: World, client_for: Clients) -> None:
    case = _in_process(world)
    meeting = held(world, case)
    record = _record(world, case, meeting)
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "conference_record"])
    response = client_for("facilitator").post(
        url + f"?meeting={meeting.pk}",
        sent(case, meeting=meeting.pk, record_version=record.version - 1 or 99, harms="Late."),
    )
    assert response.status_code == 409
    record.refresh_from_db()
    assert record.harms == CANARY


def test_the_record_is_not_shown_to_a_volunteer_a_referrer_or_an_analyst(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    _record(world, case, held(world, case))
    case.assignments.get_or_create(user=world["volunteer"], role="volunteer")
    for persona in ("facilitator", "coordinator"):
        assert CANARY in client_for(persona).get(case.get_absolute_url()).content.decode()
    for persona in ("volunteer", "referrer", "analyst"):
        client = client_for(persona)
        for url in (case.get_absolute_url(), reverse("cases:list"), reverse("programs:dashboard")):
            response = client.get(url)
            assert CANARY not in response.content.decode(), (persona, url)
    volunteer_page = client_for("volunteer").get(case.get_absolute_url())
    assert volunteer_page.status_code == 200
    assert "Conference record of" not in volunteer_page.content.decode()


# --- Confirm from the page --------------------------------------------------------------


def test_a_planned_meeting_is_confirmed_from_its_row(world: World, client_for: Clients) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    client = client_for("facilitator")
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("cases:action", args=[case.reference, "meeting_confirm"])
    assert f"{url}?meeting={meeting.pk}" in page
    case.refresh_from_db()
    response = client.post(f"{url}?meeting={meeting.pk}", sent(case, meeting=meeting.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"{url}?meeting={meeting.pk}" not in page


# --- Cost -------------------------------------------------------------------------------


def _page_queries(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_queries_as_held_meetings_and_records_grow(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    client = client_for("facilitator")
    _record(world, case, Meeting.objects.get(case=case, kind="conference"))
    few = _page_queries(client, case)
    for i in range(6):
        _record(world, case, held(world, case, hours_ago=30 + 3 * i))
        held(world, case, kind="preparation", invitees=parties(case, "harmed"), hours_ago=80 + i)
    assert _page_queries(client, case) == few

"""A planned meeting moves, or changes place or staff, only as planning would allow it, and
a new time or place must be confirmed again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, ConsentEntry
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.processes import services
from mend.processes.models import Meeting
from mend.programs.models import ConsentPurpose
from mend.testing.cases import parties, submit, to_stage
from mend.testing.forms import sent
from mend.testing.meetings import plan
from mend.testing.personas import World

Clients = Callable[[str], Client]


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _moved(world: World, case: Case, meeting: Meeting, hours: float) -> Meeting:
    details = services.details_of(meeting)
    later = replace(
        details,
        starts_at=details.starts_at + timedelta(hours=hours),
        ends_at=details.ends_at + timedelta(hours=hours),
    )
    return services.change_meeting(
        case=case, meeting=meeting, details=later, by=world["facilitator"], expected_version=None
    )


def test_a_moved_meeting_must_be_confirmed_again_and_the_move_is_audited(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    services.confirm_meeting(
        case=case, meeting=meeting, by=world["facilitator"], expected_version=None
    )
    meeting.refresh_from_db()
    starts = meeting.starts_at

    moved = _moved(world, case, meeting, 3)

    assert moved.starts_at == starts + timedelta(hours=3)
    assert moved.status == Meeting.Status.PLANNED
    event = AuditEvent.objects.filter(action="meeting.changed").get()
    assert event.details["moved"] == "True"


def test_changing_only_the_staff_keeps_the_confirmation(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    services.confirm_meeting(
        case=case, meeting=meeting, by=world["facilitator"], expected_version=None
    )
    meeting.refresh_from_db()
    details = replace(services.details_of(meeting), co_facilitators=(world["coordinator"],))
    changed = services.change_meeting(
        case=case, meeting=meeting, details=details, by=world["facilitator"], expected_version=None
    )
    assert changed.status == Meeting.Status.CONFIRMED
    assert list(changed.co_facilitators.all()) == [world["coordinator"]]


def test_a_move_onto_another_meeting_of_the_same_people_is_refused_and_nothing_changes(
    world: World,
) -> None:
    case = _in_process(world)
    first = plan(world, case, starts_at=timezone.now() + timedelta(days=1))
    second = plan(world, case, starts_at=timezone.now() + timedelta(days=1, hours=3))
    with pytest.raises(Blocked) as refused:
        _moved(world, case, second, -3)
    assert any("already" in message for message in refused.value.messages)
    second.refresh_from_db()
    assert second.starts_at > first.ends_at


def test_a_meeting_that_was_held_or_cancelled_cannot_be_changed(world: World) -> None:
    case = _in_process(world)
    meeting = plan(world, case)
    services.cancel_meeting(
        case=case, meeting=meeting, reason="staff", by=world["facilitator"], expected_version=None
    )
    meeting.refresh_from_db()
    with pytest.raises(Blocked) as refused:
        _moved(world, case, meeting, 1)
    assert refused.value.messages == ["This meeting is no longer planned: it cannot be changed."]


def test_a_change_asks_the_gates_again(world: World) -> None:
    case = _in_process(world)
    # Under way, so the withdrawal below leaves it open instead of cancelling it.
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(minutes=30))
    cases.record_consent(
        participant=parties(case, "harmed")[0],
        purpose=ConsentPurpose.FACE_TO_FACE,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.is_open
    with pytest.raises(Blocked):
        _moved(world, case, meeting, 24)
    meeting.refresh_from_db()
    assert meeting.starts_at < timezone.now()


def test_the_change_page_opens_on_the_meetings_time_and_saves_the_new_one(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    meeting = plan(world, case, starts_at=timezone.now() + timedelta(days=2))
    case.refresh_from_db()
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "meeting_change"])
    page = client.get(url, {"meeting": meeting.pk}).content.decode()
    local = timezone.localtime(meeting.starts_at, meeting_zone(case)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page

    day = (timezone.localdate() + timedelta(days=4)).isoformat()
    response = client.post(
        url,
        sent(
            case,
            meeting=meeting.pk,
            starts_at=f"{day}T15:00",
            ends_at=f"{day}T16:00",
            venue_kind="room",
            room=meeting.room_id,
            venue="",
            lead=world["facilitator"].pk,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at, meeting_zone(case)).strftime("%H:%M") == "15:00"


def test_a_change_sent_from_a_stale_page_is_refused_and_nothing_changes(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    meeting = plan(world, case, starts_at=timezone.now() + timedelta(days=2))
    case.refresh_from_db()
    stale = sent(
        case,
        meeting=meeting.pk,
        starts_at=(timezone.localdate() + timedelta(days=5)).isoformat() + "T15:00",
        ends_at=(timezone.localdate() + timedelta(days=5)).isoformat() + "T16:00",
        venue_kind="room",
        room=meeting.room_id,
        venue="",
        lead=world["facilitator"].pk,
    )
    services.cancel_meeting(
        case=case, meeting=meeting, reason="staff", by=world["coordinator"], expected_version=None
    )
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "meeting_change"]), stale
    )
    assert response.status_code == 409
    assert "cancelled a meeting" in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def meeting_zone(case: Case):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(case.program.time_zone)

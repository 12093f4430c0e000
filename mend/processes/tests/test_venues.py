"""A meeting in a room names one of its program's rooms, fits in it, and nothing is booked
twice: not the room, not the staff, not a person. Staff say when they are available; a
time outside it is planned only when the person scheduling says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mend.cases.models import Case
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.processes import venue_services
from mend.processes.models import Availability, Meeting, Venue
from mend.programs.models import Program
from mend.testing.cases import parties, submit, to_stage
from mend.testing.forms import sent
from mend.testing.meetings import plan
from mend.testing.personas import World

Clients = Callable[[str], Client]
START = datetime(2028, 6, 5, 8, 0, tzinfo=ZoneInfo("UTC"))  # a Monday


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _room(
    world: World, name: str = "Garden Room", capacity: int = 10, program: Program | None = None
) -> Venue:
    return venue_services.add_venue(
        program=program or world.program,
        name=name,
        capacity=capacity,
        access_notes="Side door, step-free.",
        by=world["coordinator"],
        expected_version=None,
    )


def _field_error(world: World, case: Case, field: str, **kwargs: object) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        plan(world, case, starts_at=START, **kwargs)  # type: ignore[arg-type]
    return refused.value.message_dict[field]


def _refusal(world: World, case: Case, **kwargs: object) -> list[str]:
    with pytest.raises(Blocked) as refused:
        plan(world, case, **kwargs)  # type: ignore[arg-type]
    return refused.value.messages


# --- Rooms on a meeting -----------------------------------------------------------------


def test_a_room_of_another_program_is_refused_as_not_on_the_list(world: World) -> None:
    case = _in_process(world)
    elsewhere = _room(world, program=world.other_program)
    assert _field_error(world, case, "room", room=elsewhere) == ["Choose a room from the list."]
    assert not Meeting.objects.exists()


def test_a_retired_room_is_refused_as_not_on_the_list(world: World) -> None:
    case = _in_process(world)
    room = venue_services.retire_venue(venue=_room(world), by=None, expected_version=None)
    assert _field_error(world, case, "room", room=room) == ["Choose a room from the list."]


def test_more_people_than_the_room_holds_is_refused_naming_the_room_and_capacity(
    world: World,
) -> None:
    case = _in_process(world)
    # The two parties and the lead: three people in a room for two.
    small = _room(world, "Small Room", capacity=2)
    assert _field_error(world, case, "room", room=small) == [
        "Small Room holds 2 people: this meeting has 3. Choose a larger room."
    ]
    assert plan(world, case, starts_at=START, room=_room(world, "Big Room", capacity=3))


def test_a_meeting_in_a_room_needs_a_room(world: World) -> None:
    from mend.processes import services

    case = _in_process(world)
    with pytest.raises(ValidationError) as refused:
        services.schedule_meeting(
            case=case,
            details=services.MeetingDetails(
                kind="conference",
                starts_at=START,
                ends_at=START + timedelta(hours=1),
                venue_kind="room",
                venue="",
                lead=world["facilitator"],
                invitees=tuple(parties(case)),
            ),
            by=world["facilitator"],
            expected_version=None,
        )
    assert refused.value.message_dict["room"] == ["Choose a room from the list."]


# --- Clashes ----------------------------------------------------------------------------


def test_a_room_booked_at_the_same_time_is_refused_with_the_other_time(world: World) -> None:
    world.program.time_zone = "Europe/Madrid"
    world.program.save()
    case, other = _in_process(world), _in_process(world)
    room = _room(world)
    plan(world, other, starts_at=START, hours=2, room=room, lead=world["coordinator"])
    messages = _refusal(world, case, starts_at=START + timedelta(hours=1), room=room)
    assert messages == [
        "Garden Room is already booked from 5 Jun 2028, 10:00 to 5 Jun 2028, 12:00."
    ]
    assert Meeting.objects.count() == 1


def test_a_co_facilitator_booked_as_lead_or_co_facilitator_elsewhere_is_refused(
    world: World,
) -> None:
    first, second, third = _in_process(world), _in_process(world), _in_process(world)
    plan(world, first, starts_at=START, co_facilitators=(world["coordinator"],))
    # The coordinator co-facilitates the first: they cannot lead the second then.
    assert _refusal(world, second, starts_at=START, lead=world["coordinator"]) == [
        "Coordinator is already co-facilitating a meeting "
        "from 5 Jun 2028, 08:00 to 5 Jun 2028, 09:00."
    ]
    # The facilitator leads the first: they cannot co-facilitate the third then.
    assert _refusal(
        world,
        third,
        starts_at=START,
        lead=world["program_admin"],
        co_facilitators=(world["facilitator"],),
    ) == ["Facilitator is already leading a meeting from 5 Jun 2028, 08:00 to 5 Jun 2028, 09:00."]
    assert Meeting.objects.count() == 1


def test_a_clash_sentence_names_only_the_other_meetings_time(world: World) -> None:
    case, other = _in_process(world), _in_process(world)
    room = _room(world)
    booked = plan(world, other, starts_at=START, room=room)
    messages = _refusal(world, case, starts_at=START, room=room)
    text = " ".join(messages)
    assert "5 Jun 2028, 08:00" in text
    for secret in [
        other.reference,
        booked.get_kind_display(),
        *(str(p.person) for p in parties(other)),
    ]:
        assert secret not in text


def test_the_lead_cannot_also_be_a_co_facilitator(world: World) -> None:
    case = _in_process(world)
    errors = _field_error(world, case, "co_facilitators", co_facilitators=(world["facilitator"],))
    assert errors == ["The lead cannot also be a co-facilitator."]


def test_a_co_facilitator_must_be_staff_of_the_program(world: World) -> None:
    case = _in_process(world)
    errors = _field_error(world, case, "co_facilitators", co_facilitators=(world["outsider"],))
    assert errors == ["Choose co-facilitators from the program's staff."]


# --- Availability -----------------------------------------------------------------------


def _available_monday_afternoons(world: World) -> Availability:
    return venue_services.add_availability(
        user=world["facilitator"],
        program=world.program,
        weekday=Availability.Weekday.MONDAY,
        start_time=time(13, 0),
        end_time=time(17, 0),
        by=world["facilitator"],
        expected_version=None,
    )


def test_a_time_outside_the_leads_availability_needs_acknowledgement(world: World) -> None:
    case = _in_process(world)
    _available_monday_afternoons(world)
    errors = _field_error(world, case, "acknowledged")
    assert errors == [
        "Facilitator has not said they are available from 5 Jun 2028, 08:00 to 5 Jun 2028, 09:00."
    ]
    assert not Meeting.objects.exists()
    meeting = plan(world, case, starts_at=START, acknowledged=True)
    event = AuditEvent.objects.get(action="meeting.scheduled", object_id=str(meeting.pk))
    assert event.details["acknowledged_unavailable"] == "True"


def test_a_time_inside_the_availability_needs_no_acknowledgement(world: World) -> None:
    case = _in_process(world)
    _available_monday_afternoons(world)
    assert plan(world, case, starts_at=START.replace(hour=14))


def test_staff_who_recorded_no_availability_get_no_warning(world: World) -> None:
    assert plan(world, _in_process(world), starts_at=START)


def test_the_meeting_form_shows_the_warning_and_plans_once_acknowledged(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    _available_monday_afternoons(world)
    room = _room(world)
    url = reverse("cases:action", args=[case.reference, "meeting"])
    fields = {
        "kind": "conference",
        "starts_at": "2028-06-05T08:00",
        "ends_at": "2028-06-05T09:00",
        "venue_kind": "room",
        "room": room.pk,
        "lead": world["facilitator"].pk,
        "co_facilitators": [world["coordinator"].pk],
        "interpreter_language": "es",
        "invitees": [p.pk for p in parties(case)],
    }
    client = client_for("coordinator")
    response = client.post(url, sent(case, **fields))
    assert response.status_code == 400
    assert "Facilitator has not said they are available" in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(url, sent(case, acknowledged="on", **fields))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.room == room
    assert list(meeting.co_facilitators.all()) == [world["coordinator"]]
    assert meeting.interpreter_language == "es"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Garden Room" in page and "Side door, step-free." in page
    assert "with Coordinator" in page and "Interpreter: Spanish" in page


def test_an_overlapping_available_time_is_refused_by_field(world: World) -> None:
    _available_monday_afternoons(world)
    with pytest.raises(ValidationError) as refused:
        venue_services.add_availability(
            user=world["facilitator"],
            program=world.program,
            weekday=Availability.Weekday.MONDAY,
            start_time=time(16, 0),
            end_time=time(18, 0),
            by=world["facilitator"],
            expected_version=None,
        )
    assert "start_time" in refused.value.message_dict


def test_my_availability_page_adds_and_removes_ones_own_times(
    world: World, client_for: Clients
) -> None:
    client = client_for("facilitator")
    url = reverse("processes:availability")
    response = client.post(
        url,
        {
            "version": 0,
            "submission": new_token(),
            "weekday": 2,
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    slot = Availability.objects.get(user=world["facilitator"])
    assert "Wednesday" in client.get(url).content.decode()
    # Someone else's time is not theirs to remove, nor to know of.
    other = client_for("coordinator").post(
        reverse("processes:remove_availability", args=[slot.pk]),
        {"version": 1, "submission": new_token()},
    )
    assert other.status_code == 404
    response = client.post(
        reverse("processes:remove_availability", args=[slot.pk]),
        {"version": 1, "submission": new_token()},
    )
    assert response.status_code == 302
    assert not Availability.objects.exists()
    assert AuditEvent.objects.filter(action="availability.removed").exists()


# --- The rooms pages --------------------------------------------------------------------


def test_a_coordinator_adds_changes_and_retires_a_room(world: World, client_for: Clients) -> None:
    client = client_for("coordinator")
    response = client.post(
        reverse("processes:add_venue"),
        {
            "version": world.program.version,
            "submission": new_token(),
            "name": "Garden Room",
            "capacity": 8,
            "access_notes": "Ring the bell.",
        },
    )
    assert response.status_code == 302
    room = Venue.objects.get()
    response = client.post(
        reverse("processes:change_venue", args=[room.pk]),
        {"version": 1, "submission": new_token(), "name": "Garden Room", "capacity": 12},
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.capacity, room.version) == (12, 2)
    response = client.post(
        reverse("processes:retire_venue", args=[room.pk]),
        {"version": 2, "submission": new_token()},
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert not room.is_active
    codes = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"venue.created", "venue.changed", "venue.retired"} <= codes


def test_a_second_room_in_use_with_the_same_name_is_refused_by_field(
    world: World, client_for: Clients
) -> None:
    _room(world)
    response = client_for("coordinator").post(
        reverse("processes:add_venue"),
        {
            "version": world.program.version,
            "submission": new_token(),
            "name": "garden room",
            "capacity": 4,
        },
    )
    assert response.status_code == 400
    assert "The program already has a room in use with this name." in response.content.decode()
    assert Venue.objects.count() == 1


def test_a_room_changed_since_the_form_was_opened_is_refused(world: World) -> None:
    room = _room(world)
    venue_services.change_venue(venue=room, name="Garden", capacity=10, by=None, expected_version=1)
    with pytest.raises(ValidationError):
        venue_services.change_venue(
            venue=room, name="Gardens", capacity=10, by=None, expected_version=1
        )
    room.refresh_from_db()
    assert room.name == "Garden"


def test_a_facilitator_reads_the_rooms_but_cannot_change_them(
    world: World, client_for: Clients
) -> None:
    room = _room(world)
    client = client_for("facilitator")
    page = client.get(reverse("processes:venues"))
    assert page.status_code == 200
    assert "Garden Room" in page.content.decode()
    assert reverse("processes:change_venue", args=[room.pk]) not in page.content.decode()
    assert client.get(reverse("processes:change_venue", args=[room.pk])).status_code == 403


def test_another_programs_room_is_not_found(world: World, client_for: Clients) -> None:
    room = _room(world, program=world.other_program)
    client = client_for("coordinator")
    assert client.get(reverse("processes:change_venue", args=[room.pk])).status_code == 404
    assert "Garden Room" not in client.get(reverse("processes:venues")).content.decode()


def test_the_rooms_page_reads_the_same_queries_however_many_rooms(
    world: World, client_for: Clients
) -> None:
    client = client_for("coordinator")
    _room(world, "One")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("processes:venues"))
    for n in range(10):
        _room(world, f"Room {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("processes:venues"))
    assert len(many) == len(few)

"""Meetings for tests, planned through the real service."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from mend.accounts.models import User
from mend.cases.models import Case, Participant
from mend.processes import services, venue_services
from mend.processes.models import Meeting, Venue
from mend.testing.personas import World


def plan(
    world: World,
    case: Case,
    *,
    kind: str = "conference",
    invitees: list[Participant] | None = None,
    starts_at: datetime | None = None,
    hours: float = 1,
    lead: User | None = None,
    room: Venue | None = None,
    co_facilitators: tuple[User, ...] = (),
    acknowledged: bool = False,
) -> Meeting:
    start = starts_at or timezone.now() + timedelta(days=1)
    people = invitees if invitees is not None else list(case.participants.all())
    return services.schedule_meeting(
        case=case,
        details=services.MeetingDetails(
            kind=kind,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            venue_kind=Meeting.VenueKind.ROOM,
            venue="Room 2",
            lead=lead or world["facilitator"],
            invitees=tuple(people),
            room=room or default_room(case, start, start + timedelta(hours=hours)),
            co_facilitators=co_facilitators,
        ),
        by=world["facilitator"],
        expected_version=None,
        acknowledged=acknowledged,
    )


def default_room(case: Case, start: datetime, end: datetime) -> Venue:
    """The program's "Room 2", or when it is booked then, the next free test room.

    Tests of who is booked twice then meet no room clash unless they ask for one.
    """
    rooms = list(Venue.objects.filter(program_id=case.program_id, is_active=True).order_by("pk"))
    booked = set(
        Meeting.objects.filter(
            room__in=rooms,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
            starts_at__lt=end,
            ends_at__gt=start,
        ).values_list("room_id", flat=True)
    )
    names = {room.name for room in rooms}
    for room in rooms:
        if room.name.startswith("Room ") and room.pk not in booked:
            return room
    number = 2
    while f"Room {number}" in names:
        number += 1
    return venue_services.add_venue(
        program=case.program, name=f"Room {number}", capacity=30, by=None, expected_version=None
    )

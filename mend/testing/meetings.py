"""Meetings for tests, planned through the real service."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from mend.accounts.models import User
from mend.cases.models import Case, Participant
from mend.processes import services
from mend.processes.models import Meeting
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
        ),
        by=world["facilitator"],
        expected_version=None,
    )

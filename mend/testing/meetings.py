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


def hold(
    world: World,
    case: Case,
    meeting: Meeting,
    *,
    minutes: int = 60,
    absent: tuple[Participant, ...] = (),
) -> Meeting:
    """Record a meeting held: everyone invited came, except `absent`."""
    away = {p.pk for p in absent}
    invited = meeting.invitees.values_list("participant_id", flat=True)
    return services.mark_held(
        case=case,
        meeting=meeting,
        attended={pk: pk not in away for pk in invited},
        duration_minutes=minutes,
        by=world["facilitator"],
        expected_version=None,
    )


def held(
    world: World,
    case: Case,
    *,
    kind: str = "conference",
    invitees: list[Participant] | None = None,
    hours_ago: float = 3,
) -> Meeting:
    """A meeting that took place a few hours ago, planned and recorded through the services."""
    start = timezone.now() - timedelta(hours=hours_ago)
    meeting = plan(world, case, kind=kind, invitees=invitees, starts_at=start)
    return hold(world, case, meeting)


def meet_jointly(world: World, case: Case, kind: str = "conference") -> Meeting:
    """The parties' joint meeting, held; in a specialist-only case each party has first had
    a preparation meeting of their own, as the gates require."""
    from mend.programs.models import OffenceCategory

    people = [p for p in case.participants.select_related("person") if p.is_active]
    if case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY:
        for party in [p for p in people if p.is_party]:
            own = [p for p in people if p.pk == party.pk or p.supports_id == party.pk]
            held(world, case, kind="preparation", invitees=own, hours_ago=30)
    return held(world, case, kind=kind, invitees=[p for p in people if p.takes_part])

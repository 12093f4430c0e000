"""Reads of rooms and available times that depend on who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from mend.processes.models import Availability, Venue
from mend.programs.models import Membership


def venues_of(membership: Membership) -> QuerySet[Venue]:
    """The rooms of the member's current program, in use first. Another program's: none."""
    return Venue.objects.filter(program_id=membership.program_id).order_by(
        "-is_active", "name", "id"
    )


def rooms_in_use(program_id: int) -> QuerySet[Venue]:
    return Venue.objects.filter(program_id=program_id, is_active=True).order_by("name", "id")


def availability_of(membership: Membership) -> QuerySet[Availability]:
    """The member's own weekly times in their current program: nobody else's."""
    return Availability.objects.filter(
        program_id=membership.program_id, user_id=membership.user_id
    ).order_by("weekday", "start_time", "id")

"""The one scoping query for placements: those of the member's current program."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from mend.agreements.models import Placement
from mend.programs.models import Membership


def placements_of(membership: Membership) -> QuerySet[Placement]:
    """The placements of the member's current program, in use first, each with how many
    sessions wait for its verification. Another program's: none."""
    return (
        Placement.objects.filter(program_id=membership.program_id)
        .annotate(
            waiting=Count(
                "sessions",
                filter=Q(sessions__minutes__isnull=False, sessions__verified_at__isnull=True),
            )
        )
        .order_by("-is_active", "organisation", "name", "id")
    )

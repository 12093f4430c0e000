"""Reads of agreements that depend on who is asking. Agreements are reached through these.

Which cases a member may see is mend.cases.queries' one rule; an agreement is visible
when its case is. Another program's agreements: never.
"""

from __future__ import annotations

from django.db.models import QuerySet

from mend.agreements.models import Agreement
from mend.cases.queries import cases_visible_to
from mend.programs.models import Membership


def agreements_visible_to(membership: Membership) -> QuerySet[Agreement]:
    """Coordinators and administrators: the program's. Facilitators and volunteers: those
    of the cases they lead or are assigned to. Everyone else: none."""
    return Agreement.objects.filter(
        case__program_id=membership.program_id,
        case__in=cases_visible_to(membership).values("pk"),
    )

"""Who may read what in reports: exact figures and their records, or only aggregates."""

from __future__ import annotations

from mend.programs.models import Membership


def sees_records(membership: Membership) -> bool:
    """Exact figures and the records behind them; otherwise suppressed aggregates only."""
    return membership.can("outcomes.view_records")

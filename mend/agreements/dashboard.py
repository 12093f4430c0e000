"""The "Agreement terms" panel on the dashboard: the signed-in member's monitored terms
that are overdue or due soon, each count leading to the monitoring page, filtered."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from mend.agreements.monitoring import my_terms, program_today, soon_days
from mend.agreements.monitoring_forms import MINE
from mend.agreements.progress import Health
from mend.core.dashboard import Panel, PanelRow
from mend.programs.models import Membership

LABELS = {Health.OVERDUE: gettext_lazy("Overdue"), Health.DUE_SOON: gettext_lazy("Due soon")}


def agreement_terms(membership: Membership) -> list[Panel]:
    if not (membership.can("cases.view_all") or membership.can("cases.view_assigned")):
        return []
    counts = my_terms(
        membership, program_today(membership.program), soon_days(membership.program_id)
    )
    page = reverse("agreements:monitoring")
    rows = [
        PanelRow(
            str(label),
            f"{page}?monitor={MINE}&health={health}",
            ngettext("%(count)s term you monitor", "%(count)s terms you monitor", counts[health])
            % {"count": counts[health]},
        )
        for health, label in LABELS.items()
        if counts[health]
    ]
    return [
        Panel(
            "agreement_terms",
            gettext_lazy("Agreement terms"),
            rows,
            sum(counts.values()),
            gettext_lazy("None of the terms you monitor is overdue or due soon."),
        )
    ]

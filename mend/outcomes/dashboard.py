"""The "This quarter" panel on the dashboard of everyone who reads reports: a few of the
quarter's figures, suppressed for analysts as on the reports page, leading there."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from mend.core.dashboard import Panel, PanelRow
from mend.outcomes import measures
from mend.outcomes.access import sees_records
from mend.outcomes.models import settings_of
from mend.outcomes.periods import program_today, quarter_containing
from mend.outcomes.tables import Page, measure_figure
from mend.programs.models import Membership

SHOWN = ("referrals", "agreements_reached", "cases_ended")


def this_quarter(membership: Membership) -> list[Panel]:
    if not membership.can("outcomes.view"):
        return []
    program = membership.program
    period = quarter_containing(program_today(program))
    page = Page(program, sees_records(membership), settings_of(program).suppression_threshold)
    figures = [
        (measures.require(code), measure_figure(page, measures.require(code), period))
        for code in SHOWN
    ]
    page.finish()
    url = reverse("outcomes:reports")
    rows = [PanelRow(str(measure.label), url, figure.text) for measure, figure in figures]
    return [Panel("this_quarter", period.label, rows, len(rows), counted=False)]

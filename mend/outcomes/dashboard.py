"""The "This quarter" panel on the dashboard of everyone who reads reports: a few of the
quarter's figures, suppressed for analysts exactly as the reports page suppresses them
(the same build), leading there."""

from __future__ import annotations

from django.urls import reverse

from mend.core.dashboard import Panel, PanelRow
from mend.outcomes import measures
from mend.outcomes.access import sees_records
from mend.outcomes.models import settings_of
from mend.outcomes.periods import program_today, quarter_containing
from mend.outcomes.report import for_quarter
from mend.outcomes.tables import Page, measure_figure
from mend.programs.models import Membership

SHOWN = ("referrals", "agreements_reached", "cases_ended")


def this_quarter(membership: Membership) -> list[Panel]:
    if not membership.can("outcomes.view"):
        return []
    program = membership.program
    period = quarter_containing(program_today(program))
    shown = [measures.require(code) for code in SHOWN]
    if sees_records(membership):
        page = Page(program, True, settings_of(program).suppression_threshold)
        figures = [(measure, measure_figure(page, measure, period)) for measure in shown]
    else:
        # As the reports page hides them, so that neither undoes the other.
        cells = for_quarter(program, period, exact=False).cells
        figures = [(measure, cells[(measure.code, period.code)]) for measure in shown]
    url = reverse("outcomes:reports")
    rows = [PanelRow(str(measure.label), url, figure.text) for measure, figure in figures]
    return [Panel("this_quarter", period.label, rows, len(rows), counted=False)]

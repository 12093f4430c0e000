"""What a reports page shows for one quarter: the figures, the funnel, the breakdowns
and the trends, suppressed together for readers who see aggregates only.

Every page that shows a quarter's figures to such readers (the reports page, the public
trends page, the funder returns, the dashboard) takes them from the same `for_quarter`
build, so each figure is hidden or shown alike on all of them: a figure hidden on one
page to protect a small count is never printed on another."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.outcomes import measures
from mend.outcomes.funnel import funnel
from mend.outcomes.measures import Measure
from mend.outcomes.models import settings_of
from mend.outcomes.periods import Period, recent_quarters
from mend.outcomes.tables import (
    Figure,
    Grid,
    Page,
    RateTable,
    Row,
    Table,
    all_figures,
    breakdown_table,
    draw,
    draw_grid,
    draw_rates,
    fold_hidden_labels,
    hide_typed_columns,
    rate_table,
    trend_breakdown,
    trend_table,
)
from mend.programs.models import Program

TRENDS = ("referrals", "cases_ended")
# Measures drawn over the quarters by one of their breakdowns.
GRIDS = (
    ("referrals", "offence"),
    ("referrals", "source"),
    ("referrals", "area"),
    ("referrals", "precinct"),
    ("cases_ended", "outcome"),
)
# The quarters of the trends, ending with the current one, whichever quarter is read.
QUARTERS_SHOWN = 8
RATES = (
    (
        "before-after",
        gettext_lazy("Before and after the process"),
        gettext_lazy(
            "Of the answers received in the quarter to each question, the share that agreed "
            "or strongly agreed, in the survey before the process and in the one after it. "
            "The two surveys need not come from the same people."
        ),
        [
            (
                gettext_lazy("Harmed parties feeling safe, before"),
                "survey_safe_before",
                "survey_safe_before_asked",
            ),
            (
                gettext_lazy("Harmed parties feeling safe, after"),
                "survey_safe_after",
                "survey_safe_after_asked",
            ),
            (
                gettext_lazy("Harmed parties afraid it will happen again, before"),
                "survey_fear_before",
                "survey_fear_before_asked",
            ),
            (
                gettext_lazy("Harmed parties afraid it will happen again, after"),
                "survey_fear_after",
                "survey_fear_after_asked",
            ),
            (
                gettext_lazy("Satisfied with the process, after"),
                "survey_satisfied",
                "survey_satisfied_asked",
            ),
        ],
    ),
    (
        "reoffending",
        gettext_lazy("Re-offending after completion"),
        gettext_lazy(
            "Of the people whose follow-up check fell due in the quarter and has a result, the "
            "share with any new offence recorded within that many months of completion."
        ),
        [
            (
                gettext_lazy("Within 6 months"),
                "reoffending_new_offence_6m",
                "reoffending_checked_6m",
            ),
            (
                gettext_lazy("Within 12 months"),
                "reoffending_new_offence_12m",
                "reoffending_checked_12m",
            ),
            (
                gettext_lazy("Within 24 months"),
                "reoffending_new_offence_24m",
                "reoffending_checked_24m",
            ),
        ],
    ),
)
# Shown where a share or a number of days has no meaning or would give a hidden count away.
NONE = "-"


@dataclass
class FunnelLine:
    label: str
    rule: str
    figure: Figure
    conversion: str
    median_days: str


@dataclass
class Report:
    period: Period
    exact: bool
    threshold: int
    figures: list[tuple[Measure, Figure]]
    funnel: list[FunnelLine]
    funnel_chart: Table
    breakdowns: list[Table]
    trends: list[Table]
    grids: list[Grid]
    # Shares side by side: survey answers before and after, re-offending by window.
    rates: list[RateTable]
    # Every figure of the page by its key, for the other pages of the same quarter.
    cells: dict[Hashable, Figure]


def build(
    program: Program, period: Period, quarters: list[Period], *, exact: bool, public: bool = False
) -> Report:
    threshold = settings_of(program).suppression_threshold
    page = Page(program, exact, threshold)
    # The public page lists no measure by itself, but suppresses over the same figures.
    figures = all_figures(page, period)
    by_measure = {measure.code: figure for measure, figure in figures}
    for total, parts in measures.sums():
        page.tie(by_measure[total], [by_measure[part] for part in parts])
    steps = funnel(program, period)
    step_figures = [page.figure((row.step.code, period.code), row.count) for row in steps]
    referrals = page.figure(
        ("referrals", period.code), page.value(measures.require("referrals"), period)
    )
    page.tie(referrals, [step_figures[0]])
    breakdowns = [
        breakdown_table(page, measure, period, dimension.code)
        for measure in measures.all_measures()
        for dimension in measure.dimensions
    ]
    trends = [trend_table(page, measures.require(code), quarters) for code in TRENDS]
    grids = [
        trend_breakdown(page, measures.require(code), dimension, quarters)
        for code, dimension in GRIDS
    ]
    rates = [
        rate_table(page, period, code, title, rule, pairs) for code, title, rule, pairs in RATES
    ]
    page.finish()
    if not exact:
        breakdowns = [fold_hidden_labels(table) for table in breakdowns]
        grids = [hide_typed_columns(grid) for grid in grids]
    by_code = {f.key: f for f in step_figures}
    lines = []
    for row, figure in zip(steps, step_figures, strict=True):
        before = by_code.get((row.step.after, period.code)) if row.step.after else None
        shown = figure.visible and (before is None or before.visible)
        lines.append(
            FunnelLine(
                str(row.step.label),
                str(row.step.rule),
                figure,
                f"{row.conversion:.0%}" if shown and row.conversion is not None else NONE,
                _days(row.median_days) if shown else NONE,
            )
        )
    funnel_chart = draw(
        Table(
            "funnel",
            _("The funnel"),
            "",
            _("Step"),
            [Row(line.label, line.figure) for line in lines],
        )
    )
    return Report(
        period=period,
        exact=exact,
        threshold=threshold,
        figures=[] if public else figures,
        funnel=lines,
        funnel_chart=funnel_chart,
        breakdowns=[draw(table) for table in breakdowns],
        trends=[draw(table) for table in trends],
        grids=[draw_grid(grid) for grid in grids],
        rates=[draw_rates(table) for table in rates],
        cells={figure.key: figure for figure in page.figures},
    )


def quarters_shown(program: Program) -> list[Period]:
    return recent_quarters(program, QUARTERS_SHOWN)


def for_quarter(program: Program, period: Period, *, exact: bool, public: bool = False) -> Report:
    """The quarter's report as every page builds it."""
    return build(program, period, quarters_shown(program), exact=exact, public=public)


def _days(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:g}"

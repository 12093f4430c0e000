"""The tables of a reports page, with small cells suppressed for readers who see only
aggregates (analysts, the public).

Every figure on a page has a key; figures that are the same number under two names
(referrals received, and the funnel's first step) are tied by a line of one part, so
one cannot be hidden while the other shows it. All the page's figures are suppressed
together, in one call, so nothing can be worked out across its tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from mend.outcomes import charts, measures
from mend.outcomes.measures import Measure, Unit
from mend.outcomes.periods import Period
from mend.outcomes.suppression import Line, Shown, suppress
from mend.programs.models import Program


@dataclass
class Figure:
    key: Hashable
    value: int | Decimal
    unit: str = Unit.COUNT
    shown: Shown = Shown.EXACT
    link: str = ""

    @property
    def visible(self) -> bool:
        return self.shown is Shown.EXACT

    @property
    def text(self) -> str:
        if self.shown is Shown.FEWER:
            return _("fewer than %(threshold)s") % {"threshold": self.threshold}
        if self.shown is Shown.HIDDEN:
            return _("hidden")
        if self.unit == Unit.MONEY:
            return number_format(self.value, 2, force_grouping=True)
        if self.unit == Unit.HOURS:
            return number_format(Decimal(self.value).quantize(Decimal("0.1")), 1)
        return number_format(self.value, force_grouping=True)

    threshold: int = 5

    @property
    def chart_value(self) -> float | None:
        return float(self.value) if self.visible else None


@dataclass
class Row:
    label: str
    figure: Figure


@dataclass
class Table:
    code: str
    title: str | Promise
    rule: str | Promise
    heading: str | Promise
    rows: list[Row]
    total: Figure | None = None
    chart: str = ""
    chart_text: str = ""
    # The rows are typed-in values (see Dimension.typed).
    typed: bool = False


@dataclass
class Page:
    """Every figure of a page, so they are suppressed together."""

    program: Program
    exact: bool
    threshold: int
    figures: list[Figure] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    values: dict[Hashable, int | Decimal] = field(default_factory=dict)
    breakdowns: dict[Hashable, dict[Any, int]] = field(default_factory=dict)

    def value(self, measure: Measure, period: Period) -> int | Decimal:
        """A measure's value, counted once however many tables of the page show it."""
        key = (measure.code, period.code)
        if key not in self.values:
            self.values[key] = measure.value(self.program, period)
        return self.values[key]

    def breakdown(self, measure: Measure, period: Period, dimension: str) -> dict[Any, int]:
        """A measure's breakdown, counted once however many tables of the page show it
        (a quarter's breakdown table and the trend table by the same dimension)."""
        key = (measure.code, period.code, dimension)
        if key not in self.breakdowns:
            self.breakdowns[key] = measure.breakdown(self.program, period, dimension)
        return self.breakdowns[key]

    def figure(self, key: Hashable, value: int | Decimal, unit: str = Unit.COUNT) -> Figure:
        found = Figure(key, value, unit, threshold=self.threshold)
        self.figures.append(found)
        return found

    def tie(self, total: Figure, parts: Iterable[Figure]) -> None:
        self.lines.append(Line(total.key, tuple(part.key for part in parts)))

    def finish(self) -> None:
        """Suppress the page's counts about people (exact readers see them all)."""
        if self.exact:
            return
        counts = {f.key: int(f.value) for f in self.figures if f.unit == Unit.COUNT}
        cells = suppress(counts, self.lines, self.threshold)
        for figure in self.figures:
            if figure.key in cells:
                figure.shown = cells[figure.key].shown
                figure.link = ""


def measure_figure(page: Page, measure: Measure, period: Period) -> Figure:
    unit = measure.unit if measure.about_people or measure.unit != Unit.COUNT else "plain"
    figure = page.figure((measure.code, period.code), page.value(measure, period), unit)
    if page.exact:
        figure.link = records_link(measure, period)
    return figure


def records_link(measure: Measure, period: Period, dimension: str = "", value: Any = "") -> str:
    query = {"quarter": period.code}
    if dimension:
        query.update({"by": dimension, "value": "" if value is None else str(value)})
    return reverse("outcomes:records", args=[measure.code]) + "?" + urlencode(query)


def breakdown_table(page: Page, measure: Measure, period: Period, dimension_code: str) -> Table:
    dimension = next(d for d in measure.dimensions if d.code == dimension_code)
    parts = page.breakdown(measure, period, dimension_code)
    total = page.figure((measure.code, period.code), page.value(measure, period))
    if page.exact:
        total.link = records_link(measure, period)
    rows = []
    for value, count in sorted(parts.items(), key=lambda item: (-item[1], str(item[0]))):
        figure = page.figure((measure.code, period.code, dimension_code, value), count)
        if page.exact:
            figure.link = records_link(measure, period, dimension_code, value)
        rows.append(Row(dimension.words(value) if dimension.words else _words(value), figure))
    if not measure.distinct:
        page.tie(total, [row.figure for row in rows])
    return Table(
        code=f"{measure.code}-{dimension_code}",
        title=_("%(measure)s, by %(dimension)s")
        % {"measure": measure.label, "dimension": str(dimension.label).lower()},
        rule=measure.rule,
        heading=dimension.label,
        rows=rows,
        total=total,
        typed=dimension.typed,
    )


def fold_hidden_labels(table: Table) -> Table:
    """After suppression: a typed-in value beside a hidden count could itself name
    someone (an address written as the area), so those rows become one row of hidden
    values, whose number is hidden too."""
    if not table.typed:
        return table
    hidden = [row for row in table.rows if not row.figure.visible]
    if not hidden:
        return table
    first = hidden[0].figure
    folded = Figure(
        (table.code, "hidden values"),
        sum((row.figure.value for row in hidden), start=0),
        first.unit,
        Shown.HIDDEN,
        threshold=first.threshold,
    )
    label = _("Other values, each with a hidden count")
    table.rows = [row for row in table.rows if row.figure.visible] + [Row(label, folded)]
    return table


def trend_table(page: Page, measure: Measure, periods: list[Period]) -> Table:
    rows = [Row(period.label, measure_figure(page, measure, period)) for period in periods]
    return Table(
        code=f"{measure.code}-trend",
        title=measure.label,
        rule=measure.rule,
        heading=_("Quarter"),
        rows=rows,
    )


def draw(table: Table) -> Table:
    """Add the chart of a table's rows (after suppression: hidden figures draw no bar)."""
    labels = [row.label for row in table.rows]
    drawing = charts.bar_chart(labels, [row.figure.chart_value for row in table.rows])
    table.chart = charts.as_image_source(drawing)
    table.chart_text = _("Bar chart of %(title)s; the numbers are in the table beside it.") % {
        "title": table.title
    }
    return table


# A trend by breakdown shows the most frequent values of the quarters shown, the rest as
# one column: a chart of more series than that cannot be read.
TOP_VALUES = 5
OTHER = "__other__"


@dataclass
class GridRow:
    label: str  # the quarter
    cells: list[Figure]
    total: Figure


@dataclass
class Grid:
    """A measure over the quarters, broken down: a row per quarter, a column per value."""

    code: str
    title: str | Promise
    rule: str | Promise
    heading: str | Promise
    columns: list[str]
    rows: list[GridRow]
    typed: bool = False
    chart: str = ""
    chart_text: str = ""


def trend_breakdown(
    page: Page, measure: Measure, dimension_code: str, periods: list[Period]
) -> Grid:
    """The same cells as each quarter's breakdown (the same keys), so a cell is hidden
    alike here and in its quarter's table; one query per quarter."""
    dimension = next(d for d in measure.dimensions if d.code == dimension_code)
    counts = {period: page.breakdown(measure, period, dimension_code) for period in periods}
    overall: dict[Any, int] = {}
    for found in counts.values():
        for value, count in found.items():
            overall[value] = overall.get(value, 0) + int(count)
    ordered = sorted(overall, key=lambda value: (-overall[value], str(value)))
    shown, rest = ordered[:TOP_VALUES], ordered[TOP_VALUES:]
    words = dimension.words or _words
    columns = [words(value) for value in shown] + ([_("Other values")] if rest else [])
    rows = []
    for period in periods:
        total = measure_figure(page, measure, period)
        cells = []
        for value in shown:
            cell = page.figure(
                (measure.code, period.code, dimension_code, value), counts[period].get(value, 0)
            )
            if page.exact:
                cell.link = records_link(measure, period, dimension_code, value)
            cells.append(cell)
        if rest:
            # The values folded into "other" are figures of the page too (not printed),
            # so that the other column cannot be used to work one of them out.
            parts = [
                page.figure(
                    (measure.code, period.code, dimension_code, value), counts[period][value]
                )
                for value in rest
                if value in counts[period]
            ]
            other = page.figure(
                (measure.code, period.code, dimension_code, OTHER), sum(int(p.value) for p in parts)
            )
            page.tie(other, parts)
            cells.append(other)
        if not measure.distinct:
            page.tie(total, cells)
        rows.append(GridRow(period.label, cells, total))
    return Grid(
        code=f"{measure.code}-{dimension_code}-trend",
        title=_("%(measure)s over time, by %(dimension)s")
        % {"measure": measure.label, "dimension": str(dimension.label).lower()},
        rule=measure.rule,
        heading=_("Quarter"),
        columns=columns,
        rows=rows,
        typed=dimension.typed,
    )


def hide_typed_columns(grid: Grid) -> Grid:
    """After suppression: a typed-in value none of whose counts shows is not named."""
    if grid.typed:
        for index in range(len(grid.columns)):
            if not any(row.cells[index].visible for row in grid.rows):
                grid.columns[index] = _("A value whose counts are all hidden")
    return grid


def draw_grid(grid: Grid) -> Grid:
    drawing = charts.grouped_bar_chart(
        [row.label for row in grid.rows],
        grid.columns,
        [[row.cells[index].chart_value for row in grid.rows] for index in range(len(grid.columns))],
    )
    grid.chart = charts.as_image_source(drawing)
    grid.chart_text = _("Bar chart of %(title)s; the numbers are in the table beside it.") % {
        "title": grid.title
    }
    return grid


@dataclass
class Rate:
    """One row of a table of shares: how many of how many, and the share."""

    label: str
    part: Figure
    whole: Figure

    @property
    def share(self) -> float | None:
        """Only where both counts show: a share beside a hidden count would undo it."""
        if not (self.part.visible and self.whole.visible) or not self.whole.value:
            return None
        return float(self.part.value) / float(self.whole.value)

    @property
    def share_text(self) -> str:
        share = self.share
        return "-" if share is None else f"{share:.0%}"


@dataclass
class RateTable:
    code: str
    title: str | Promise
    rule: str | Promise
    heading: str | Promise
    rates: list[Rate]
    chart: str = ""
    chart_text: str = ""


def rate_table(
    page: Page,
    period: Period,
    code: str,
    title: str | Promise,
    rule: str | Promise,
    pairs: Sequence[tuple[str | Promise, str, str]],
) -> RateTable:
    """A table of shares, one per (label, part measure, whole measure): the counts are the
    page's own figures, so they are suppressed with the rest of it. The part is some of
    the whole, so the whole less the part (those who did not agree, say) is a count of
    people too: it is a figure of the page, never printed, that suppression protects."""
    rates = []
    for label, part_code, whole_code in pairs:
        part = measure_figure(page, measures.require(part_code), period)
        whole = measure_figure(page, measures.require(whole_code), period)
        rest = page.figure((part_code, whole_code, period.code), whole.value - part.value)
        page.tie(whole, [part, rest])
        rates.append(Rate(str(label), part, whole))
    return RateTable(code, title, rule, _("Share"), rates)


def draw_rates(table: RateTable) -> RateTable:
    """The chart of a table of shares, in percent; a share not shown draws no bar."""
    shares = [None if r.share is None else round(100 * r.share, 1) for r in table.rates]
    drawing = charts.bar_chart([rate.label for rate in table.rates], shares)
    table.chart = charts.as_image_source(drawing)
    table.chart_text = _(
        "Bar chart of %(title)s, in percent; the numbers are in the table beside it."
    ) % {"title": table.title}
    return table


def _words(value: Any) -> str:
    return _("Not recorded") if value in (None, "") else str(value)


def all_figures(page: Page, period: Period) -> list[tuple[Measure, Figure]]:
    return [(measure, measure_figure(page, measure, period)) for measure in measures.all_measures()]

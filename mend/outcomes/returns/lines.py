"""The returns as they are printed: which figures, in what order, and what each reader
sees of them. The page, the PDF and the CSV all print `figures_of`, so they agree.

Readers without outcomes.view_records (analysts) see suppressed figures, exactly as the
reports page of the same quarter shows them (mend.outcomes.report.for_quarter): a count
under the program's threshold, zero included, reads "fewer than N", and a figure hidden
there so that a small one cannot be worked out (new and continuing victims add up to the
victims served) is hidden here too. One suppression for both pages, so nothing shown on
one undoes what the other hides.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mend.outcomes.catalogue import REFERRALS
from mend.outcomes.measures import Measure
from mend.outcomes.periods import Period
from mend.outcomes.report import for_quarter
from mend.outcomes.returns import figures as f
from mend.outcomes.suppression import Shown
from mend.outcomes.tables import OTHER
from mend.programs.models import Program


@dataclass(frozen=True)
class Line:
    """A measure's figure, or (with a dimension) one figure per value of its breakdown."""

    measure: Measure
    dimension: str = ""
    # For a breakdown: the values always printed, in order (others follow when found).
    values: tuple[Any, ...] = ()
    rule: str | Promise = ""


@dataclass(frozen=True)
class Ratio:
    code: str
    label: str | Promise
    rule: str | Promise
    numerator: Measure
    denominator: Measure


@dataclass(frozen=True)
class Return:
    code: str
    title: str | Promise
    about: str | Promise
    lines: tuple[Line | Ratio, ...]


@dataclass
class Figure:
    return_code: str
    code: str
    label: str
    rule: str
    value: int | Decimal | None
    # As printed: the number, "fewer than 5", "42.9%", "not applicable".
    shown: str
    # The measure and the breakdown cell behind it, for the drill-down; "" for a ratio.
    measure: str = ""
    dimension: str = ""
    key: Any = None
    suppressed: bool = False


ENGAGEMENT_RATIO = Ratio(
    code="yj_engagement_ratio",
    label=_("Victims engaged in restorative justice, per victim who consented to be contacted"),
    rule=_(
        "The victims who took part in a restorative process in the quarter divided by "
        "the victims whose consent to be contacted was given in the quarter, as a "
        "percentage. Both are counted in the same quarter, so the two groups of people "
        "need not be the same, and the ratio can pass 100%. Not applicable when no one "
        "consented."
    ),
    numerator=f.VICTIMS_ENGAGED,
    denominator=f.YJ_CONSENTED,
)

RETURNS: tuple[Return, ...] = (
    Return(
        "voca",
        _("VOCA performance measures (United States)"),
        _(
            "Victims of Crime Act rules: each victim counts once in a quarter; a victim "
            "is new once in each federal fiscal year and continuing after that; "
            "demographics are for new victims only."
        ),
        (
            Line(f.VOCA_SERVED),
            Line(f.VOCA_NEW),
            Line(f.VOCA_CONTINUING),
            Line(f.VOCA_NEW, "age_band", tuple(code for code, _words in f.AGE_BANDS), f.AGE_RULE),
            Line(f.VOCA_NEW, "language", rule=f.LANGUAGE_RULE),
        ),
    ),
    Return(
        "pcc",
        _("Police and crime commissioner return (United Kingdom)"),
        _("Referrals, offers and participation of victims, and cases completed."),
        (
            # The catalogue's own measure: one definition of a referral received.
            Line(REFERRALS),
            Line(f.PCC_OFFERED),
            Line(f.PCC_DIRECT),
            Line(f.PCC_INDIRECT),
            Line(f.VICTIMS_ENGAGED),
            Line(f.PCC_COMPLETED),
        ),
    ),
    Return(
        "youth_justice",
        _("Youth justice: victims engaged in restorative justice"),
        _("Victims engaged, victims who consented to be contacted, and the ratio."),
        (Line(f.VICTIMS_ENGAGED), Line(f.YJ_CONSENTED), ENGAGEMENT_RATIO),
    ),
)


def fewer_than(threshold: int) -> str:
    return gettext("fewer than %(threshold)s") % {"threshold": threshold}


def _count_figure(
    ret: Return, code: str, label: str, rule: str, value: int, line: Line, key: Any = None
) -> Figure:
    return Figure(
        ret.code,
        code,
        label,
        rule,
        value,
        number_format(value, force_grouping=True),
        measure=line.measure.code,
        dimension=line.dimension,
        key=key,
    )


def _cells(
    ret: Return, line: Line, program: Program, period: Period, page: dict[Any, Any] | None
) -> list[Figure]:
    measure = line.measure
    found = next(d for d in measure.dimensions if d.code == line.dimension)
    if page is None:
        counts = measure.breakdown(program, period, line.dimension)
    else:
        # Counted already by the reports page's build: its breakdown cells, by value.
        counts = {
            key[3]: int(figure.value)
            for key, figure in page.items()
            if len(key) == 4
            and key[:3] == (measure.code, period.code, line.dimension)
            and key[3] != OTHER  # the trend tables' "other values", a sum of these
        }
    # A blank value and no value are both "not recorded".
    if "" in counts:
        counts[None] = counts.get(None, 0) + counts.pop("")
    keys = list(line.values) + sorted(
        (k for k in counts if k not in line.values and k is not None), key=str
    )
    if None in counts and None not in line.values:
        keys.append(None)
    cells = []
    for key in keys:
        words = found.words(key) if found.words is not None else str(key)
        cells.append(
            _count_figure(
                ret,
                f"{measure.code}.{found.code}.{key if key is not None else NOT_RECORDED}",
                f"{measure.label}: {words}",
                str(line.rule or measure.rule),
                counts.get(key, 0),
                line,
                key,
            )
        )
    return cells


def _ratio(ret: Return, ratio: Ratio, values: dict[str, Figure]) -> Figure:
    top, bottom = values[ratio.numerator.code], values[ratio.denominator.code]
    if top.suppressed or bottom.suppressed:
        value, shown, suppressed = None, gettext("not shown: counts too small"), True
    elif not bottom.value:
        value, shown, suppressed = None, gettext("not applicable"), False
    else:
        value = (Decimal(top.value or 0) * 100 / Decimal(bottom.value)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        shown, suppressed = f"{number_format(value, 1)}%", False
    return Figure(
        ret.code, ratio.code, str(ratio.label), str(ratio.rule), value, shown, suppressed=suppressed
    )


def _shown(figure: Figure, period: Period, cells: dict[Any, Any], threshold: int) -> Shown:
    """How the reports page of the quarter shows this count (the "not recorded" cell of
    a return adds up the page's blank and missing values)."""
    keys: list[tuple[Any, ...]]
    if figure.dimension:
        values = [None, ""] if figure.key is None else [figure.key]
        keys = [(figure.measure, period.code, figure.dimension, v) for v in values]
    else:
        keys = [(figure.measure, period.code)]
    found = [cells[key] for key in keys if key in cells]
    if found and all(cell.visible for cell in found):
        return Shown.EXACT
    if isinstance(figure.value, int) and figure.value < threshold:
        return Shown.FEWER
    return Shown.HIDDEN


def _suppress(figure: Figure, shown: Shown, threshold: int) -> None:
    figure.suppressed = True
    figure.shown = (
        fewer_than(threshold)
        if shown is Shown.FEWER
        else gettext("not shown, to protect a small count")
    )


def figures_of(
    program: Program, period: Period, *, exact: bool, threshold: int
) -> list[tuple[Return, list[Figure]]]:
    """Every return's figures for the quarter, as this reader may see them. For readers of
    aggregates the numbers and their suppression come from the quarter's reports page
    (counted once, hidden alike)."""
    page = None if exact else for_quarter(program, period, exact=False).cells
    done: list[tuple[Return, list[Figure]]] = []
    # A measure printed in two returns is counted once.
    counted: dict[str, int] = {}
    for ret in RETURNS:
        rows: list[Figure] = []
        by_code: dict[str, Figure] = {}
        for line in ret.lines:
            if isinstance(line, Ratio):
                rows.append(_ratio(ret, line, by_code))
                continue
            if line.dimension:
                rows.extend(_cells(ret, line, program, period, page))
                continue
            measure = line.measure
            if measure.code not in counted:
                counted[measure.code] = int(
                    page[(measure.code, period.code)].value
                    if page is not None
                    else measure.value(program, period)
                )
            figure = _count_figure(
                ret,
                measure.code,
                str(measure.label),
                str(measure.rule),
                counted[measure.code],
                line,
            )
            by_code[measure.code] = figure
            rows.append(figure)
        done.append((ret, rows))
    if not exact:
        assert page is not None
        _suppress_returns(done, page, period, threshold)
    return done


def _suppress_returns(
    done: list[tuple[Return, list[Figure]]], cells: dict[Any, Any], period: Period, threshold: int
) -> None:
    for ret, rows in done:
        by_code: dict[str, Figure] = {}
        for figure in rows:
            if not figure.measure:
                continue
            shown = _shown(figure, period, cells, threshold)
            if shown is not Shown.EXACT:
                _suppress(figure, shown, threshold)
            if not figure.dimension:
                by_code[figure.measure] = figure
        # Ratios were worked out before suppression: work them out again from what shows.
        for index, figure in enumerate(rows):
            line = next(
                (x for x in ret.lines if isinstance(x, Ratio) and x.code == figure.code), None
            )
            if line is not None:
                rows[index] = _ratio(ret, line, by_code)


NOT_RECORDED = "not_recorded"


def _measures() -> dict[str, Line]:
    lines = [line for ret in RETURNS for line in ret.lines if isinstance(line, Line)]
    return {
        f"{line.measure.code}.{line.dimension}" if line.dimension else line.measure.code: line
        for line in lines
    }


def records_of(
    code: str, program: Program, period: Period
) -> tuple[Line, QuerySet[Any], str] | None:
    """The line a figure's code names, the rows it counts and the figure's label; None
    when no figure has that code."""
    measure_code, _dot, rest = code.partition(".")
    dimension, _dot, key = rest.partition(".")
    line = _measures().get(f"{measure_code}.{dimension}" if dimension else measure_code)
    if line is None or bool(dimension) != bool(key):
        return None
    measure = line.measure
    rows = measure.rows(program, period)
    if not dimension:
        return line, rows, str(measure.label)
    found = next(d for d in measure.dimensions if d.code == dimension)
    value: Any = key
    if key == NOT_RECORDED and NOT_RECORDED not in line.values:
        value = None
        rows = rows.filter(Q(**{f"{found.path}__isnull": True}) | Q(**{found.path: ""}))
    else:
        rows = rows.filter(**{found.path: key})
    words = found.words(value) if found.words is not None else str(value)
    return line, rows, f"{measure.label}: {words}"

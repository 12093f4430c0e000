"""Every number Mend reports, defined once.

A measure names the records it counts: `rows(program, period)` is the queryset of them,
and the measure's value is read from that queryset by one summary query (a count, or a
sum of one column). Because the value and the list come from the same queryset, every
figure drills down to exactly the records behind it. `docs/measures.md` states each
rule in words; a test keeps the two in step.

Breakdowns (by offence, by source ...) are a `values().annotate()` over the same rows,
so the parts of a breakdown add up to the whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.functional import Promise

if TYPE_CHECKING:
    from mend.outcomes.periods import Period
    from mend.programs.models import Program

Rows = Callable[["Program", "Period"], QuerySet[Any]]


class Unit:
    COUNT = "count"
    MONEY = "money"
    HOURS = "hours"


@dataclass(frozen=True)
class Dimension:
    """A way to break a measure down: the column read, and how its values are worded."""

    code: str
    label: str | Promise
    path: str
    # value -> words in the reader's language; the value itself when missing.
    words: Callable[[Any], str] | None = None
    # Values typed in by people (an area, a precinct), not chosen from a list: readers of
    # aggregates see one only beside a count they may see, never beside a hidden one.
    typed: bool = False


@dataclass(frozen=True)
class Measure:
    code: str
    label: str | Promise
    # The counting rule in one sentence: what is counted, which date puts it in a
    # period, what is left out. Shown beside the number wherever it is printed.
    rule: str | Promise
    rows: Rows
    # The path from a counted row to its case, for the drill-down list.
    case_path: str = "case"
    # The date column that put the row in the period, shown in the drill-down list.
    date_path: str = ""
    unit: str = Unit.COUNT
    # For MONEY and HOURS: the column summed (minutes for hours).
    summed: str = ""
    # When set, the value counts distinct values of this column (people, cases), not rows.
    distinct: str = ""
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)
    # Figures about people that an analyst or the public reads are suppressed when small.
    about_people: bool = True

    def value(self, program: Program, period: Period) -> int | Decimal:
        return self.value_of(self.rows(program, period))

    def value_of(self, rows: QuerySet[Any]) -> int | Decimal:
        if self.summed:
            total = rows.aggregate(total=Sum(self.summed))["total"]
            if self.unit == Unit.HOURS:
                return Decimal(total or 0) / 60
            return Decimal(total) if total is not None else Decimal("0.00")
        if self.distinct:
            return int(rows.aggregate(n=Count(self.distinct, distinct=True))["n"])
        return rows.count()

    def breakdown(self, program: Program, period: Period, dimension: str) -> dict[Any, int]:
        """value -> count for one dimension, in one grouped query."""
        found = next(d for d in self.dimensions if d.code == dimension)
        counted = Count(self.distinct, distinct=True) if self.distinct else Count("pk")
        grouped = (
            self.rows(program, period)
            .order_by()
            .values(found.path)
            .annotate(n=counted)
            .values_list(found.path, "n")
        )
        return dict(grouped)

    def records(self, program: Program, period: Period, **where: Any) -> QuerySet[Any]:
        """The rows behind the figure (or behind one cell of a breakdown)."""
        rows = self.rows(program, period)
        for dimension_code, wanted in where.items():
            found = next(d for d in self.dimensions if d.code == dimension_code)
            if wanted in (None, ""):
                # "Not recorded": no value at all, or an empty one (dimensions are text).
                rows = rows.filter(Q(**{f"{found.path}__isnull": True}) | Q(**{found.path: ""}))
            else:
                rows = rows.filter(**{found.path: wanted})
        return rows


_MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    existing = _MEASURES.get(measure.code)
    if existing is not None and existing != measure:
        raise ValueError(f"A measure named {measure.code!r} exists already.")
    _MEASURES[measure.code] = measure
    return measure


def get(code: str) -> Measure | None:
    return _MEASURES.get(code)


def require(code: str) -> Measure:
    """A measure the code itself names (a missing one is a programming error)."""
    return _MEASURES[code]


def all_measures() -> list[Measure]:
    return list(_MEASURES.values())


# Measures whose values add up: a whole and its parts ("victims served" are the new ones
# and the continuing ones). Suppression hides a part the whole would give away.
_SUMS: dict[str, tuple[str, ...]] = {}


def register_sum(total: Measure, parts: tuple[Measure, ...]) -> None:
    _SUMS[total.code] = tuple(part.code for part in parts)


def sums() -> list[tuple[str, tuple[str, ...]]]:
    return list(_SUMS.items())

"""Re-offending measures, one pair per follow-up window (docs/measures.md).

For a window of W months, a person counts in the denominator when their W-month check
has a result (no new offence, a new offence, or could not be checked) and its due date
falls in the period; they count in the numerator when, besides, a new offence is
recorded within W months of their completion. A rate is always worded with its window
and the number of people it is over: "any new offence recorded within 12 months of
completion: 3 of 40 people".

Measure.rule is one fixed sentence, so a measure is registered for each default window
(6, 12 and 24 months). A program that chose other windows reads its rates from `rate()`,
which counts by the same rule for any window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from mend.outcomes.measures import Dimension, Measure
from mend.outcomes.models import DEFAULT_FOLLOW_UP_MONTHS, ReoffendingCheck
from mend.outcomes.periods import Period
from mend.programs.models import Program

Result = ReoffendingCheck.Result
PEOPLE = "participant__person"


def checked(program: Program, period: Period, months: int) -> QuerySet[Any]:
    """W-month checks with a result, due in the period: the denominator's rows."""
    return (
        ReoffendingCheck.objects.filter(
            program=program,
            months=months,
            due_on__gte=period.start,
            due_on__lt=period.end,
        )
        .exclude(result="")
        .select_related("participant__case", "participant__person")
    )


def reoffended(program: Program, period: Period, months: int) -> QuerySet[Any]:
    """Of those, the checks of people with a new offence recorded within W months of their
    completion: on this check, or on another check of theirs, dated in this window."""
    earlier = ReoffendingCheck.objects.filter(
        participant_id=OuterRef("participant_id"),
        result=Result.NEW_OFFENCE,
        offence_date__gt=OuterRef("completed_on"),
        offence_date__lte=OuterRef("due_on"),
    )
    return checked(program, period, months).filter(Q(result=Result.NEW_OFFENCE) | Exists(earlier))


def _worded(text: str, months: int) -> Promise:
    """The sentence in the reader's language when it is shown, with its window."""
    worded = lazy(lambda: gettext(text) % {"months": months}, str)()
    return worded  # type: ignore[return-value]  # lazy() proxies are typed as the result


def _rows(months: int, numerator: bool) -> Any:
    def rows(program: Program, period: Period) -> QuerySet[Any]:
        return (reoffended if numerator else checked)(program, period, months)

    return rows


DIMENSIONS = (
    Dimension("offence", gettext_lazy("Offence"), "participant__case__offence_category__label"),
    Dimension("outcome", gettext_lazy("How the case ended"), "participant__case__outcome"),
)


def _pair(months: int) -> tuple[Measure, Measure]:
    denominator = Measure(
        code=f"reoffending_checked_{months}m",
        label=_worded(gettext_noop("People checked %(months)s months after completion"), months),
        rule=_worded(
            gettext_noop(
                "Responsible parties of completed cases whose %(months)s-month re-offending check "
                "has a result (no new offence, a new offence, or could not be checked), counted "
                "once each, in the period their check fell due. Checks with no result yet are "
                "left out."
            ),
            months,
        ),
        rows=_rows(months, numerator=False),
        case_path="participant__case",
        date_path="due_on",
        distinct=PEOPLE,
        dimensions=DIMENSIONS,
    )
    numerator = Measure(
        code=f"reoffending_new_offence_{months}m",
        label=_worded(
            gettext_noop("People with a new offence within %(months)s months of completion"),
            months,
        ),
        rule=_worded(
            gettext_noop(
                "Of the people checked %(months)s months after completion, those with any new "
                "offence recorded dated within %(months)s months of the day their case closed, "
                "counted once each. Read it with the number checked: it is a rate over them."
            ),
            months,
        ),
        rows=_rows(months, numerator=True),
        case_path="participant__case",
        date_path="due_on",
        distinct=PEOPLE,
        dimensions=DIMENSIONS,
    )
    return denominator, numerator


MEASURES: list[Measure] = [m for months in DEFAULT_FOLLOW_UP_MONTHS for m in _pair(months)]


@dataclass(frozen=True)
class Rate:
    months: int
    people: int  # the denominator: people whose check has a result
    reoffended: int

    def __str__(self) -> str:
        return ngettext(
            "any new offence recorded within %(months)s months of completion: "
            "%(reoffended)s of %(people)s person",
            "any new offence recorded within %(months)s months of completion: "
            "%(reoffended)s of %(people)s people",
            self.people,
        ) % {"months": self.months, "reoffended": self.reoffended, "people": self.people}


def rate(program: Program, period: Period, months: int) -> Rate:
    """The rate for one window, by the rule of the measures above."""
    people = checked(program, period, months).aggregate(n=_distinct())["n"]
    found = reoffended(program, period, months).aggregate(n=_distinct())["n"]
    return Rate(months, int(people), int(found))


def _distinct() -> Any:
    return Count(PEOPLE, distinct=True)


def all_time(program: Program, today: date) -> Period:
    """Every check due so far: from the first day Mend could hold one to today."""
    return Period(date(2000, 1, 1), date.fromordinal(today.toordinal() + 1))

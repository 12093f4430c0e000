"""Re-offending rates: the measures count what a plain count of the rows gives, and a
rate always states its window and the number of people it is over."""

from __future__ import annotations

from datetime import date

import pytest

from mend.cases.models import Participant
from mend.outcomes import measures
from mend.outcomes.models import ReoffendingCheck
from mend.outcomes.periods import calendar_quarter
from mend.outcomes.reoffending_checks import add_months
from mend.outcomes.reoffending_measures import rate
from mend.testing.cases import parties, submit
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

R = ReoffendingCheck.Result
COMPLETED = date(2025, 1, 15)
# Each person: their checks as months -> (result, offence date). Their due dates, 15 July
# 2025, 15 January 2026 and 15 January 2027, put the 12-month ones in 2026's first quarter.
PEOPLE: list[dict[int, tuple[str, date | None]]] = [
    {6: (R.NO_NEW_OFFENCE, None), 12: (R.NO_NEW_OFFENCE, None)},
    {6: (R.NEW_OFFENCE, date(2025, 3, 1)), 12: (R.NEW_OFFENCE, date(2025, 3, 1))},
    # An offence at three months, found by the 6-month check; the 12-month check was
    # recorded "no new offence" by mistake: the offence still falls within 12 months.
    {6: (R.NEW_OFFENCE, date(2025, 4, 2)), 12: (R.NO_NEW_OFFENCE, None)},
    {6: (R.NO_NEW_OFFENCE, None), 12: (R.NEW_OFFENCE, date(2025, 11, 30))},
    {6: (R.NOT_CHECKED, None), 12: (R.NOT_CHECKED, None)},
    # No result yet: in neither count.
    {6: (R.NO_NEW_OFFENCE, None), 12: ("", None)},
    # An offence after 12 months, on the 24-month check only.
    {12: (R.NO_NEW_OFFENCE, None), 24: (R.NEW_OFFENCE, date(2026, 3, 1))},
]


def _write_rows(world: World) -> None:
    case = submit(world, responsible=len(PEOPLE))
    for participant, checks in zip(
        parties(case, Participant.Role.RESPONSIBLE), PEOPLE, strict=True
    ):
        for months, (result, offence_date) in checks.items():
            ReoffendingCheck.objects.create(
                program=world.program,
                participant=participant,
                months=months,
                completed_on=COMPLETED,
                due_on=add_months(COMPLETED, months),
                result=result,
                offence_date=offence_date,
            )


def _independent_count(months: int) -> tuple[int, int]:
    """(people checked, people with an offence within the window), counted by hand."""
    end = add_months(COMPLETED, months)
    checked = [p for p in PEOPLE if months in p and p[months][0] != ""]
    reoffended = [
        p
        for p in checked
        if any(
            result == R.NEW_OFFENCE and offence_date is not None and COMPLETED < offence_date <= end
            for result, offence_date in p.values()
        )
    ]
    return len(checked), len(reoffended)


@pytest.mark.parametrize(
    ("months", "quarter"), [(6, calendar_quarter(2025, 3)), (12, calendar_quarter(2026, 1))]
)
def test_the_rate_equals_a_count_of_the_rows_and_states_its_window_and_people(
    world: World, months: int, quarter: object
) -> None:
    _write_rows(world)
    people, reoffended = _independent_count(months)
    found = rate(world.program, quarter, months)  # type: ignore[arg-type]
    assert (found.people, found.reoffended) == (people, reoffended)
    assert str(found) == (
        f"any new offence recorded within {months} months of completion: "
        f"{reoffended} of {people} people"
    )
    denominator = measures.get(f"reoffending_checked_{months}m")
    numerator = measures.get(f"reoffending_new_offence_{months}m")
    assert denominator is not None and numerator is not None
    assert denominator.value(world.program, quarter) == people  # type: ignore[arg-type]
    assert numerator.value(world.program, quarter) == reoffended  # type: ignore[arg-type]
    assert f"{months}-month" in str(denominator.rule)
    assert f"within {months} months" in str(numerator.rule)


def test_the_hand_count_is_not_trivial() -> None:
    # 6 months: 6 checked, 2 with an offence; 12 months: 6 checked, 3 (one by the Exists).
    assert _independent_count(6) == (6, 2)
    assert _independent_count(12) == (6, 3)


def test_checks_due_outside_the_period_are_not_counted(world: World) -> None:
    _write_rows(world)
    found = rate(world.program, calendar_quarter(2025, 4), 12)
    assert (found.people, found.reoffended) == (0, 0)
    assert str(found) == "any new offence recorded within 12 months of completion: 0 of 0 people"


def test_a_person_is_counted_once_over_two_completed_cases(world: World) -> None:
    first, second = submit(world), submit(world)
    person = parties(first, Participant.Role.RESPONSIBLE)[0].person
    again = parties(second, Participant.Role.RESPONSIBLE)[0]
    again.person = person
    again.save()
    for participant in (parties(first, Participant.Role.RESPONSIBLE)[0], again):
        ReoffendingCheck.objects.create(
            program=world.program,
            participant=participant,
            months=6,
            completed_on=COMPLETED,
            due_on=add_months(COMPLETED, 6),
            result=R.NO_NEW_OFFENCE,
        )
    assert rate(world.program, calendar_quarter(2025, 3), 6).people == 1


def test_the_rate_reads_in_spanish_with_its_window(world: World) -> None:
    from django.utils import translation

    _write_rows(world)
    with translation.override("es"):
        worded = str(rate(world.program, calendar_quarter(2026, 1), 12))
    assert "12" in worded and "3" in worded and "6" in worded
    assert worded != str(rate(world.program, calendar_quarter(2026, 1), 12))

"""What an analyst reads of the returns: small counts hidden, and nothing that would let
a hidden count be worked out from the others."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from mend.cases.models import Participant
from mend.outcomes.periods import parse_quarter
from mend.outcomes.report import for_quarter
from mend.outcomes.returns.lines import RETURNS, Line, figures_of
from mend.testing import returns as r
from mend.testing.cases import parties, submit
from mend.testing.personas import World

SECOND_QUARTER = parse_quarter("2027-Q1")


def shown(world: World, *, exact: bool) -> dict[str, Any]:
    assert SECOND_QUARTER is not None
    found = figures_of(world.program, SECOND_QUARTER, exact=exact, threshold=5)
    return {figure.code: figure for _ret, figures in found for figure in figures}


def test_a_count_that_would_give_a_hidden_one_away_is_hidden_too(world: World) -> None:
    victims = r.six_consented(world)  # served in the first quarter of fiscal 2027
    staff = world["facilitator"]
    # In its second quarter one of them is served again (continuing), five are new.
    r.consent(victims[0], date(2027, 1, 5), staff)
    for _ in range(5):
        r.offer(parties(submit(world), Participant.Role.HARMED)[0], date(2027, 2, 1))
    exact = shown(world, exact=True)
    assert (exact["voca_served"].value, exact["voca_new"].value) == (6, 5)
    assert exact["voca_continuing"].value == 1
    seen = shown(world, exact=False)
    assert seen["voca_served"].shown == "6"
    assert seen["voca_continuing"].shown == "fewer than 5"
    assert seen["voca_new"].shown == "not shown, to protect a small count"
    assert seen["yj_consented"].shown == "fewer than 5"
    assert seen["yj_engagement_ratio"].value is None


def test_the_returns_hide_each_figure_as_the_reports_page_of_the_quarter_does(
    world: World,
) -> None:
    victims = r.six_consented(world)
    r.consent(victims[0], date(2027, 1, 5), world["facilitator"])
    for _ in range(5):
        r.offer(parties(submit(world), Participant.Role.HARMED)[0], date(2027, 2, 1))
    assert SECOND_QUARTER is not None
    cells = for_quarter(world.program, SECOND_QUARTER, exact=False).cells
    compared = 0
    for code, figure in shown(world, exact=False).items():
        if not figure.measure:
            continue  # a ratio
        if figure.dimension:
            # A return's "not recorded" is the page's blank and missing values together.
            values = [None, ""] if figure.key is None else [figure.key]
            keys = [(figure.measure, SECOND_QUARTER.code, figure.dimension, v) for v in values]
        else:
            keys = [(figure.measure, SECOND_QUARTER.code)]
        on_page = [cells[key] for key in keys if key in cells]
        if on_page:
            assert figure.suppressed == (not all(cell.visible for cell in on_page)), code
            compared += 1
        else:  # a value nobody has: zero, small
            assert figure.value == 0 and figure.suppressed, code
    assert compared > 10


def test_zero_reads_as_a_small_count_to_analysts(world: World) -> None:
    seen = shown(world, exact=False)
    assert seen["voca_served"].shown == "fewer than 5"
    assert seen["yj_engagement_ratio"].shown == "not shown: counts too small"
    assert shown(world, exact=True)["yj_engagement_ratio"].shown == "not applicable"


def test_the_returns_take_the_same_number_of_queries_however_many_cases(world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            shown(world, exact=True)
        return len(queries)

    few = count()
    r.six_consented(world)
    r.six_consented(world)
    assert count() == few


def test_every_figure_is_written_out_in_the_docs() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "returns.md").read_text()
    codes = {line.measure.code for ret in RETURNS for line in ret.lines if isinstance(line, Line)}
    codes |= {line.code for ret in RETURNS for line in ret.lines if not isinstance(line, Line)}
    for code in codes:
        assert f"`{code}`" in text, code

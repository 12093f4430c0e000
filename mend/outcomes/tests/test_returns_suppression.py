"""What an analyst reads of the returns: small counts hidden, and nothing that would let
a hidden count be worked out from the others."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from mend.cases.models import Participant
from mend.outcomes.periods import parse_quarter
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
    # New victims hidden: so are all the parts that add up to them.
    for code, figure in seen.items():
        if code.startswith("voca_new."):
            assert figure.suppressed, code
    assert seen["yj_consented"].shown == "fewer than 5"
    assert seen["yj_engagement_ratio"].value is None


def test_zero_is_shown_to_analysts(world: World) -> None:
    seen = shown(world, exact=False)
    assert seen["voca_served"].shown == "0"
    assert seen["yj_engagement_ratio"].shown == "not applicable"


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

"""A report reads summary queries: as many queries with ten times the cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mend.outcomes.periods import recent_quarters
from mend.outcomes.report import build
from mend.testing.cases import submit, to_stage
from mend.testing.outcomes import Q1, at
from mend.testing.personas import World

pytestmark = pytest.mark.django_db


def queries_of_report(world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        build(world.program, Q1, recent_quarters(world.program, 8), exact=False)
    return len(captured)


def test_the_report_s_query_count_stays_flat_as_cases_grow(world: World) -> None:
    from mend.programs.models import Membership

    Membership.objects.update(starts_on="2025-01-01")
    with at(2026, 2, 2):
        to_stage(world, submit(world), "contact")
    few = queries_of_report(world)
    with at(2026, 2, 3):
        for _ in range(10):
            to_stage(world, submit(world, category="theft"), "contact")
    assert queries_of_report(world) == few


def test_a_report_counts_nothing_twice(world: World) -> None:
    # Recent quarters include the quarter read, so its totals and breakdowns appear in
    # several tables of the page: each is still counted by one query.
    quarters = recent_quarters(world.program, 8)
    with CaptureQueriesContext(connection) as captured:
        build(world.program, quarters[-1], quarters, exact=False)
    counted = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    repeated = sorted({sql for sql in counted if counted.count(sql) > 1})
    assert not repeated, repeated[:3]

"""How long the reports take at scale: the reports page of one quarter, the quarterly
funder returns and the dashboard's figures, over a program of N cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mend_bench_1000000 \\
        .venv/bin/python benchmarks/reports.py --cases 1000000

The data is the load generator's (`manage.py generate_load`, program "load"), made once
in the database it is pointed at and reused, as benchmarks/pages.py does. It times each
report a few times and prints the best and the median. Results are in
docs/performance-reports.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from mend.programs.models import Program  # noqa: E402


def build(cases: int) -> Program:
    """The load generator's program, filled up to `cases` (once: later runs reuse it)."""
    program = Program.objects.filter(slug="load").first()
    if program is None or program.cases.count() < cases:
        call_command("generate_load", cases=cases, program="load")
    return Program.objects.get(slug="load")


def timed(label: str, work, repeat: int) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    print(
        f"{label}: best {min(times):.2f} s, median {statistics.median(times):.2f} s ({repeat} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    program = build(options.cases)
    print(f"data: {program.cases.count()} cases ({time.perf_counter() - began:.0f} s to build)")
    settings.DEBUG = False  # debug mode keeps every query in memory: measure as production
    # Fresh planner statistics, as autovacuum keeps them in a live database: rows written
    # in bulk a moment ago are otherwise unknown to the planner, which then picks plans
    # fit for empty tables (a funnel step took most of an hour at 100,000 cases).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from mend.outcomes import measures
    from mend.outcomes.dashboard import SHOWN
    from mend.outcomes.periods import program_today, quarter_containing, recent_quarters
    from mend.outcomes.report import build as build_report
    from mend.outcomes.report import for_quarter

    period = quarter_containing(program_today(program)).previous()
    quarters = recent_quarters(program, 8)
    timed(
        "reports page, exact",
        lambda: build_report(program, period, quarters, exact=True),
        options.repeat,
    )
    timed(
        "reports page, suppressed",
        lambda: build_report(program, period, quarters, exact=False),
        options.repeat,
    )
    from mend.outcomes.returns.lines import figures_of

    timed(
        "quarterly returns, exact",
        lambda: figures_of(program, period, exact=True, threshold=5),
        options.repeat,
    )
    timed(
        "quarterly returns, suppressed",
        lambda: figures_of(program, period, exact=False, threshold=5),
        options.repeat,
    )
    today = quarter_containing(program_today(program))
    timed(
        "dashboard panel, exact (coordinator)",
        lambda: [measures.require(code).value(program, today) for code in SHOWN],
        options.repeat,
    )
    timed(
        "dashboard panel, suppressed (analyst)",
        lambda: for_quarter(program, today, exact=False),
        options.repeat,
    )


if __name__ == "__main__":
    main()

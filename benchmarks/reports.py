"""How long the reports take at scale: the reports page of one quarter and the quarterly
funder returns, over a program of N cases spread across five years.

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/reports.py --cases 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mend_bench \\
        DJANGO_DEBUG=1 .venv/bin/python benchmarks/reports.py --cases 1000000

It builds its own program ("bench") in the database it is pointed at (migrating it first),
filled with rows written in bulk (not through the services: this measures reading, not
writing), then times each report a few times and prints the best and the median. Run it
on an empty database of its own: it never deletes anything. Results are in
docs/performance-reports.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from mend.accounts.models import User  # noqa: E402
from mend.cases.models import (  # noqa: E402
    Case,
    ConsentEntry,
    Participant,
    Person,
    Referral,
    RJOffer,
)
from mend.programs import services as program_services  # noqa: E402
from mend.programs.models import Agency, Program  # noqa: E402

BATCH = 5000
YEARS = 5
AREAS = ["Old Town", "Riverside", "Northgate", "Eastfield", "Harbour", "Hillside"]
OUTCOMES = [
    "completed_with_agreement",
    "completed_without_agreement",
    "withdrawn_by_harmed_party",
    "not_suitable",
    "unable_to_contact",
]


def build(cases: int) -> Program:
    program = Program.objects.filter(slug="bench").first()
    if program is not None and program.cases.count() >= cases:
        return program
    if program is None:
        program = program_services.create_program(name="Benchmark", slug="bench", by=None)
    police = Agency.objects.create(program=program, name="Bench Police", kind="police")
    user = User.objects.create_user(username=f"bench-{program.pk}-{time.time_ns()}")
    categories = list(program.offence_categories.all())
    rng = random.Random(cases)  # noqa: S311 (made-up data, not a secret)
    start = datetime(date.today().year - YEARS, 1, 1, tzinfo=UTC)
    span = (datetime.now(UTC) - start).total_seconds()
    made = program.cases.count()
    while made < cases:
        size = min(BATCH, cases - made)
        with transaction.atomic():
            moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(size))
            referrals = Referral.objects.bulk_create(
                [
                    Referral(
                        program=program,
                        agency=police if rng.random() < 0.8 else None,
                        referrer_name="Bench",
                        incident_reference=f"B/{made + i}",
                        incident_date=moment.date(),
                        offence_category=rng.choice(categories),
                        justice_stage=rng.choice(["pre_charge", "post_charge", "community"]),
                        area=rng.choice(AREAS),
                        precinct=str(rng.randint(1, 8)),
                        status="accepted",
                    )
                    for i, moment in enumerate(moments)
                ]
            )
            # auto_now_add ignores the value given: set the day each referral arrived.
            for referral, moment in zip(referrals, moments, strict=True):
                referral.created_at = moment
            Referral.objects.bulk_update(referrals, ["created_at"], batch_size=BATCH)
            year_numbers = {}
            rows = []
            for referral, moment in zip(referrals, moments, strict=True):
                number = year_numbers[moment.year] = (
                    year_numbers.get(moment.year, _last(program, moment.year)) + 1
                )
                ended = rng.random() < 0.7
                rows.append(
                    Case(
                        program=program,
                        referral=referral,
                        reference=f"BENCH-{moment.year}-{number}",
                        year=moment.year,
                        number=number,
                        stage="closed" if ended else "contact",
                        offence_category=referral.offence_category,
                        outcome=rng.choice(OUTCOMES) if ended else "",
                        closed_at=moment + timedelta(days=rng.randint(20, 200)) if ended else None,
                    )
                )
            new_cases = Case.objects.bulk_create(rows)
            people = Person.objects.bulk_create(
                [
                    Person(program=program, given_name="B", family_name=str(i))
                    for i in range(2 * size)
                ]
            )
            participants = Participant.objects.bulk_create(
                [
                    Participant(case=case, person=people[2 * i + side], role=role)
                    for i, case in enumerate(new_cases)
                    for side, role in enumerate(["harmed", "responsible"])
                ]
            )
            harmed = participants[::2]
            RJOffer.objects.bulk_create(
                [
                    RJOffer(
                        participant=p,
                        offered_on=m.date() + timedelta(days=rng.randint(0, 10)),
                        channel="phone",
                        response="interested",
                    )
                    for p, m in zip(harmed, moments, strict=True)
                    if rng.random() < 0.8
                ]
            )
            ConsentEntry.objects.bulk_create(
                [
                    ConsentEntry(
                        participant=p,
                        purpose=purpose,
                        decision="given",
                        method="verbal",
                        decided_on=m.date() + timedelta(days=rng.randint(1, 20)),
                        recorded_by=user,
                    )
                    for p, m in zip(participants, [m for m in moments for _ in (0, 1)], strict=True)
                    if rng.random() < 0.6
                    for purpose in ("contact", "face_to_face")
                ]
            )
        made += size
        print(f"  {made} cases", flush=True)
    return program


def _last(program: Program, year: int) -> int:
    from django.db.models import Max

    return Case.objects.filter(program=program, year=year).aggregate(n=Max("number"))["n"] or 0


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

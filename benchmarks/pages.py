"""Server time of Mend's busiest pages beside the raw-SQL floor, at one size of database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mend_bench_100000 \\
        .venv/bin/python benchmarks/pages.py --cases 100000

It fills the program "load" up to N cases with `manage.py generate_load` (once: a second
run reuses the data), refreshes the planner's statistics, then asks each page many times
in-process (Django's test client: routing, middleware, queries, templates; no network)
and, in the same run, fetches the same rows with hand-written SQL: the floor, what the
database alone needs. It prints a Markdown table: p50 and p95 of each, and the ratio of
the page's p50 to its floor's. docs/performance.md says what the numbers mean.
Run it on a database of its own: the data is invented, and the intake rows stay.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from mend.accounts.models import User  # noqa: E402
from mend.cases.demo import FAMILY_NAMES  # noqa: E402
from mend.cases.models import Case, Participant, Person, Referral  # noqa: E402
from mend.core.models import AuditEvent  # noqa: E402
from mend.programs.models import Program  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

Row = tuple[str, list[float], list[float] | None]


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def sample(work: Callable[[], Any], count: int) -> list[float]:
    work()  # warm: the first call fills caches a running server already has
    times = []
    for _ in range(count):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return times


def fetch(sql: str, params: list[Any]) -> Callable[[], Any]:
    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def page(client: Client, url: str, **extra: Any) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return run


class Bench:
    def __init__(self, program: Program, samples: int) -> None:
        self.program = program
        self.samples = samples
        self.only: list[str] = []  # --only: measure the pages whose label holds a word
        self.rng = random.Random(7)  # noqa: S311 (which case to open, not a secret)
        self.coordinator = Client()
        self.coordinator.force_login(User.objects.get(username=f"{program.slug}-coordinator"))
        self.admin = Client()
        self.admin.force_login(User.objects.get(username=f"{program.slug}-admin"))

    def measure(
        self,
        label: str,
        work: Callable[[], Any],
        floor: Callable[[], Any] | None,
        samples: int | None = None,
    ) -> None:
        if self.only and not any(word in label for word in self.only):
            return
        count = samples or self.samples
        row = (label, sample(work, count), sample(floor, count) if floor is not None else None)
        print(self.line(row), flush=True)  # as it comes: a slow page later loses nothing

    HEADER = (
        "| page | p50 | p95 | floor p50 | floor p95 | page / floor (p50) |\n"
        "|---|---:|---:|---:|---:|---:|"
    )

    @staticmethod
    def line(row: Row) -> str:
        label, times, floor = row
        cells = [label, _ms(statistics.median(times)), _ms(percentile(times, 0.95))]
        if floor:
            ratio = statistics.median(times) / max(statistics.median(floor), 1e-9)
            cells += [_ms(statistics.median(floor)), _ms(percentile(floor, 0.95)), f"{ratio:.1f}x"]
        else:
            cells += ["-", "-", "-"]
        return "| " + " | ".join(cells) + " |"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


LIST_SQL = """
    SELECT c.id, c.reference, c.stage, c.created_at, o.label, u.full_name
    FROM cases_case c
    JOIN programs_offencecategory o ON o.id = c.offence_category_id
    LEFT JOIN accounts_user u ON u.id = c.lead_facilitator_id
    WHERE c.program_id = %s {where}
    ORDER BY c.created_at DESC, c.id DESC LIMIT 25 OFFSET %s
"""


def run_pages(bench: Bench, with_return: bool) -> None:
    program = bench.program
    pid = program.pk
    coordinator = bench.coordinator
    total = Case.objects.filter(program=program).count()
    # The deepest page a person can reach: lists stop at settings.MEND_LIST_COUNT_CAP rows.
    middle = max(1, min(total, settings.MEND_LIST_COUNT_CAP) // 25)
    bench.measure(
        "case list, first page",
        page(coordinator, "/cases/"),
        fetch(LIST_SQL.format(where=""), [pid, 0]),
    )
    bench.measure(
        "case list, filtered by stage",
        page(coordinator, "/cases/?stage=contact"),
        fetch(LIST_SQL.format(where="AND c.stage = %s"), [pid, "contact", 0]),
    )
    bench.measure(
        f"case list, deep page ({middle})",
        page(coordinator, f"/cases/?page={middle}"),
        fetch(LIST_SQL.format(where=""), [pid, (middle - 1) * 25]),
    )
    name = FAMILY_NAMES[13]
    bench.measure(
        f"case list, search by name ({name})",
        page(coordinator, f"/cases/?q={name}"),
        fetch(
            LIST_SQL.format(
                where="AND c.id IN (SELECT p.case_id FROM cases_participant p "
                "JOIN cases_person pe ON pe.id = p.person_id "
                "WHERE pe.program_id = %s AND pe.family_name = %s)"
            ),
            [pid, pid, name, 0],
        ),
    )
    ids = list(Case.objects.filter(program=program).values_list("pk", "reference")[:5000])

    picks = [bench.rng.choice(ids) for _ in range(bench.samples + 1)]

    def case_page() -> Any:
        return page(coordinator, f"/cases/{bench.rng.choice(picks)[1]}/")()

    def case_floor() -> Any:
        pk = bench.rng.choice(picks)[0]
        for sql in (
            "SELECT * FROM cases_case c JOIN cases_referral r ON r.id = c.referral_id "
            "WHERE c.id = %s",
            "SELECT * FROM cases_participant p JOIN cases_person pe ON pe.id = p.person_id "
            "WHERE p.case_id = %s",
            "SELECT * FROM cases_consententry e JOIN cases_participant p "
            "ON p.id = e.participant_id WHERE p.case_id = %s",
            "SELECT * FROM cases_note WHERE case_id = %s ORDER BY created_at DESC LIMIT 20",
            "SELECT * FROM cases_stagechange WHERE case_id = %s",
        ):
            fetch(sql, [pk])()

    bench.measure("case page", case_page, case_floor)
    bench.measure(
        "dashboard (coordinator)",
        page(coordinator, "/"),
        fetch("SELECT stage, count(*) FROM cases_case WHERE program_id = %s GROUP BY stage", [pid]),
    )
    bench.measure(
        "audit trail (program administrator)",
        page(bench.admin, "/audit/"),
        fetch(
            "SELECT * FROM core_auditevent WHERE program_id = %s "
            "ORDER BY occurred_at DESC, id DESC LIMIT 50",
            [pid],
        ),
    )
    bench.measure(
        "referral list",
        page(coordinator, "/referrals/"),
        fetch(
            "SELECT * FROM cases_referral WHERE program_id = %s "
            "ORDER BY created_at DESC, id DESC LIMIT 25",
            [pid],
        ),
    )
    run_api(bench)
    if with_return:
        run_return(bench)


def run_api(bench: Bench) -> None:
    from mend.partners import services as partner_services

    program = bench.program
    agency = program.agencies.order_by("pk").first()
    assert agency is not None
    _key, text = partner_services.create_api_key(
        program=program,
        agency=agency,
        name=f"bench {time.time_ns()}",
        scopes=["referrals:read", "referrals:write"],
        expires_at=None,
        by=None,
    )
    partner = Client(headers={"Authorization": f"Bearer {text}"})
    bench.measure(
        "API: list referrals",
        page(partner, "/api/v1/referrals"),
        fetch(
            "SELECT * FROM cases_referral WHERE program_id = %s AND agency_id = %s "
            "ORDER BY updated_at, id LIMIT 50",
            [program.pk, agency.pk],
        ),
    )
    category = program.offence_categories.filter(is_active=True).order_by("pk").first()
    assert category is not None
    serial = iter(range(10**9))

    def send() -> Any:
        today = timezone.localdate()
        body = {
            "incident_reference": f"BENCH/{time.time_ns()}/{next(serial)}",
            "incident_date": (today - timedelta(days=3)).isoformat(),
            "offence_category": category.code,
            "summary": "A bicycle was taken from outside the library.",
            "justice_stage": "pre_charge",
            "referrer": {"name": "PC Bench", "email": "bench@police.example"},
            "harmed_parties": [
                {
                    "given_name": "Hana",
                    "family_name": "Okafor",
                    "rj_offered_on": (today - timedelta(days=1)).isoformat(),
                    "consents_to_contact": True,
                }
            ],
            "responsible_parties": [{"given_name": "Rory", "family_name": "Lee"}],
        }
        response = partner.post(
            "/api/v1/referrals",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": f"bench-{time.time_ns()}"},
        )
        if response.status_code != 201:
            raise SystemExit(f"intake answered {response.status_code}: {response.content!r}")

    sent = Case.objects.filter(program=program).order_by("-pk").select_related("referral")

    def insert_floor() -> None:
        """The rows an intake writes (a referral, its case, two people, their places in
        it, the audit row), copied by hand-written INSERT ... SELECT, rolled back."""
        case = sent[0]
        people = list(case.participants.values_list("pk", "person_id")[:2])
        with transaction.atomic(), connection.cursor() as cursor:
            referral = copy_row(cursor, Referral, case.referral_id)
            number = 10**8 + referral
            new_case = copy_row(
                cursor,
                Case,
                case.pk,
                referral_id=referral,
                number=number,
                reference=f"B-{number}",
            )
            for participant, person in people:
                copy_row(
                    cursor,
                    Participant,
                    participant,
                    case_id=new_case,
                    person_id=copy_row(cursor, Person, person),
                )
            copy_row(cursor, AuditEvent, AuditEvent.objects.order_by("-pk").values("pk")[0]["pk"])
            transaction.set_rollback(True)

    bench.measure("API: send a referral (intake)", send, insert_floor)


def copy_row(cursor: Any, model: Any, pk: int, **values: Any) -> int:
    """INSERT a copy of one row, some columns given, and return the copy's key."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    chosen = [("%s" if c in values else quote(c)) for c in columns]
    table = quote(model._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"SELECT {', '.join(chosen)} FROM {table} WHERE id = %s RETURNING id",
        [values[c] for c in columns if c in values] + [pk],
    )
    return int(cursor.fetchone()[0])


def run_return(bench: Bench) -> None:
    from mend.outcomes.periods import program_today, quarter_containing

    quarter = quarter_containing(program_today(bench.program)).previous()
    bench.measure(
        f"quarterly return ({quarter.code})",
        page(bench.coordinator, f"/reports/returns/?quarter={quarter.code}"),
        None,
        samples=3,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--program", default="load")
    parser.add_argument("--skip-return", action="store_true", help="leave out the return")
    parser.add_argument("--only", default="", help="comma-separated words of the labels")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    program = Program.objects.filter(slug=options.program).first()
    if program is None or program.cases.count() < options.cases:
        # Its progress goes to stderr: stdout is the table.
        call_command(
            "generate_load", cases=options.cases, program=options.program, stdout=sys.stderr
        )
        program = Program.objects.get(slug=options.program)
    with connection.cursor() as cursor:
        # As autovacuum keeps them on a live database: rows just written in bulk are
        # otherwise unknown to the planner, which then plans for empty tables.
        cursor.execute("ANALYZE")
    # Debug mode would keep every query in memory and time it: measure as production runs.
    settings.DEBUG = False
    bench = Bench(program, options.samples)
    bench.only = [word for word in options.only.split(",") if word]
    cases = Case.objects.filter(program=program).count()
    print(f"\n{cases:,} cases in the program, {connection.vendor}, {options.samples} samples\n")
    print(Bench.HEADER, flush=True)
    run_pages(bench, with_return=not options.skip_return)


if __name__ == "__main__":
    main()

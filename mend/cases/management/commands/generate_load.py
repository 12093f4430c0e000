"""Fill a program with synthetic cases for benchmarks: see mend/cases/load_generator.py."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mend.cases import load_generator


class Command(BaseCommand):
    help = (
        "Fill a program (made if missing) with N synthetic cases, as a copy of a few "
        "dozen cases built through the services. For benchmarks, on a database of its own."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="cases the program holds")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument("--program", default="load", help="the program's short name")
        parser.add_argument(
            "--templates", type=int, default=150, help="cases built through the services"
        )
        parser.add_argument(
            "--years", type=int, default=10, help="how far back the ended cases reach"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
            raise CommandError(
                "generate_load writes invented people and cases: run it with DJANGO_DEBUG=1, "
                "on a database of its own, never on one holding real cases."
            )
        if options["cases"] < 1 or options["templates"] < 1 or options["years"] < 1:
            raise CommandError("--cases, --templates and --years must be at least 1.")
        self.verbosity = int(options["verbosity"])
        began = time.perf_counter()
        result = load_generator.generate(
            cases=options["cases"],
            seed=options["seed"],
            slug=options["program"],
            templates=options["templates"],
            years=options["years"],
            say=self._say,
        )
        rows = sum(result.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.program.slug}: {result.program.cases.count()} cases "
                f"({result.templates} templates, {result.copies} copies, {rows} rows) "
                f"in {time.perf_counter() - began:.0f} s."
            )
        )

    def _say(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {line}")
            self.stdout.flush()

"""Load the demo: a program, its agencies, one account per role, and each app's demo data.

Safe to run again: what exists is kept, what is missing is added.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from mend.programs import demo as programs_demo


class Command(BaseCommand):
    help = "Create or complete the demo program, its accounts and demo data."

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        with transaction.atomic():
            self._say(programs_demo.summary(programs_demo))
            context = programs_demo.load()
            programs_demo.load_apps(context, say=self._say)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {context.program.name}. Sign in as "
                + ", ".join(context.users)
                + " with the password 'mend-demo'."
            )
        )

    def _say(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {line}")
            self.stdout.flush()

"""Make the re-offending checks owed to cases that closed completed before checks were
made automatically, or to follow-up windows a program added later. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.outcomes.reoffending_checks import create_missing_checks


class Command(BaseCommand):
    help = (
        "Create the missing re-offending checks of every responsible party of a completed "
        "case, at each of its program's follow-up windows. Checks already made are left "
        "as they are, however often this runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = create_missing_checks()
        self.stdout.write(f"Re-offending checks created: {count}.")

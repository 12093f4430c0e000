"""Enqueue the survey reminders owed. Run it every hour (cron or a systemd timer); the
task worker sends them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.outcomes.survey_tasks import enqueue_due_reminders


class Command(BaseCommand):
    help = (
        "Enqueue one reminder for each survey e-mailed and still unanswered after its "
        "program's reminder days, to people whose consent to be contacted for evaluation "
        "is still current. Each survey is reminded once, however often this runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = enqueue_due_reminders()
        self.stdout.write(f"Survey reminders enqueued: {count}.")

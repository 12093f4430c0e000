"""Enqueue the reminders and overdue alerts owed to monitors. Run it every hour (cron or
a systemd timer); the task worker sends them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.agreements.tasks import enqueue_due_notices


class Command(BaseCommand):
    help = (
        "Enqueue a reminder to the monitor of each open term due within its program's "
        "reminder days, and an alert for each term past its due date. Each goes once for "
        "each due date, however often this runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = enqueue_due_notices()
        self.stdout.write(f"Agreement reminders and alerts enqueued: {count}.")

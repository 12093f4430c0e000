"""Enqueue the meeting reminders that are due. Run it every hour (cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.processes.tasks import enqueue_due_reminders


class Command(BaseCommand):
    help = (
        "Enqueue a reminder for each invitee who chose e-mail, of each meeting starting "
        "within its program's reminder days. A reminder goes once, however often this runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = enqueue_due_reminders()
        self.stdout.write(f"Meeting reminders enqueued: {count}.")

"""Send the status webhooks that are due. Run it every minute (cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.partners.webhooks import deliver_due_webhooks


class Command(BaseCommand):
    help = (
        "Attempt every pending status-webhook delivery that is due, first attempts and "
        "retries alike. Run it every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deliver_due_webhooks()
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"Webhook deliveries attempted: {summary or 'none due'}.")

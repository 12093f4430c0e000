"""Background tasks of the partners app."""

from __future__ import annotations

from django_tasks import task

from mend.partners import webhooks


@task()
def deliver_webhook(delivery_id: int) -> None:
    """The first attempt at a delivery, enqueued when its transaction commits.

    Later attempts are made by `manage.py send_webhooks`, whatever the task backend.
    """
    webhooks.attempt_delivery(delivery_id)

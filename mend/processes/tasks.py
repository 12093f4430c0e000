"""Background tasks of meetings: the e-mail to invitees and staff (mend/processes/mail.py).

Each is enqueued when the transaction that changed the meeting commits, and reads the
meeting as it is when it runs: a meeting cancelled before its invitation went sends
nothing at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from mend.processes import mail
from mend.processes.models import Meeting


@task()
def send_meeting_mail(meeting_id: int) -> int:
    return mail.bring_meeting_up_to_date(meeting_id)


@task()
def send_reminder(invitee_id: int) -> bool:
    return mail.remind(invitee_id)


@task()
def notify_staff_of_cancellation(meeting_id: int) -> int:
    return mail.notify_staff_of_cancellation(meeting_id)


def meeting_changed(meeting: Meeting, *, cancelled_automatically: bool = False) -> None:
    """Call from a service that changed a meeting: its invitees hear once it commits."""
    if not settings.MEND_MEETING_EMAIL:
        return
    pk = meeting.pk
    transaction.on_commit(lambda: send_meeting_mail.enqueue(pk))
    if cancelled_automatically:
        transaction.on_commit(lambda: notify_staff_of_cancellation.enqueue(pk))


def enqueue_due_reminders() -> int:
    due = mail.due_reminders()
    for invitee_id in due:
        send_reminder.enqueue(invitee_id)
    return len(due)

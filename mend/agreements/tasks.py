"""Background tasks of agreements: reminders and overdue alerts to monitors
(mend/agreements/reminders.py). Each task reads the term as it is when it runs: a term
completed since it was enqueued sends nothing."""

from __future__ import annotations

from django_tasks import task

from mend.agreements import reminders


@task()
def send_term_notice(term_id: int, kind: str) -> int:
    return reminders.notify(term_id, kind)


def enqueue_due_notices() -> int:
    due = reminders.due_notices()
    for notice in due:
        send_term_notice.enqueue(notice.term_id, notice.kind)
    return len(due)

"""Background task of surveys: the one reminder (mend/outcomes/survey_reminders.py). The
task carries only the invitation's id; the reminder's link is made when it runs."""

from __future__ import annotations

from django_tasks import task

from mend.outcomes import survey_reminders


@task()
def send_survey_reminder(invitation_id: int) -> bool:
    return survey_reminders.remind(invitation_id)


def enqueue_due_reminders() -> int:
    due = survey_reminders.due_reminders()
    for invitation_id in due:
        send_survey_reminder.enqueue(invitation_id)
    return len(due)

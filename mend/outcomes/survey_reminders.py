"""One reminder for an unanswered survey, after the program's reminder days
(OutcomeSettings.survey_reminder_days; 0: never).

Only e-mailed invitations are reminded, still open and unanswered, and only while the
person still takes part and their consent to be contacted for evaluation is current:
consent is asked again at the moment of reminding, not taken from the day it was sent.

The first e-mail's link is not kept (only its hash), so the reminder carries a second
link of its own; both work until the survey is answered or expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from mend.cases.queries import case_facts
from mend.core import audit
from mend.outcomes.models import OutcomeSettings, SurveyInvitation
from mend.outcomes.survey_sending import deliver, may_survey
from mend.outcomes.survey_services import new_token

DEFAULT_DAYS = OutcomeSettings._meta.get_field("survey_reminder_days").get_default()


def _days() -> dict[int, int]:
    return dict(OutcomeSettings.objects.values_list("program_id", "survey_reminder_days"))


def _waiting(now: datetime) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        channel=SurveyInvitation.Channel.EMAIL,
        answered=False,
        reminded_at__isnull=True,
        expires_at__gt=now,
    )


def _owed(sent_at: datetime, wait: int, now: datetime) -> bool:
    return bool(wait) and sent_at + timedelta(days=wait) <= now


def due_reminders() -> list[int]:
    """The invitations owed a reminder now (consent is checked when each is sent)."""
    days = _days()
    now = timezone.now()
    rows = _waiting(now).values_list("pk", "program_id", "sent_at")
    return [
        pk for pk, program, sent_at in rows if _owed(sent_at, days.get(program, DEFAULT_DAYS), now)
    ]


def remind(invitation_id: int) -> bool:
    """Send the reminder if it is still owed. The claim (reminded_at, the new link's
    hash) is one update that matches only while no reminder went, so two workers send
    it once; if the e-mail fails the claim is undone and the next run tries again."""
    now = timezone.now()
    invitation = (
        _waiting(now).select_related("participant__case__program").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return False
    wait = _days().get(invitation.program_id, DEFAULT_DAYS)
    if not _owed(invitation.sent_at, wait, now):
        return False
    facts = case_facts(invitation.participant.case)
    current = next(p for p in facts.participants if p.pk == invitation.participant_id)
    if not may_survey(facts, current):
        return False
    token, digest = new_token()
    claimed = SurveyInvitation.objects.filter(
        Q(reminded_at__isnull=True), pk=invitation.pk, answered=False
    ).update(reminded_at=timezone.now(), reminder_token_hash=digest)
    if not claimed:
        return False
    if not deliver(invitation.pk, token, reminder=True):
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            reminded_at=None, reminder_token_hash=""
        )
        return False
    audit.record(
        actor=None,
        action="survey.reminded",
        obj=invitation,
        subject=invitation.participant.case,
        program=invitation.program,
        kind=invitation.kind,
        participant=invitation.participant_id,
    )
    return True

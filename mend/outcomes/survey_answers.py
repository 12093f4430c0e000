"""Opening a survey from its link, and storing the answers. No sign-in: the token is the
credential, found by its SHA-256 and compared in constant time.

An anonymous answer (a program-wide link, or an invitation sent as anonymous) is stored
with no participant, no invitation, no case and only the month it came (its first day):
a day, beside the surveys sent and their reminders, could narrow down who it was. The invitation
records only that it was answered, not when, and not which answers are its own. The
audit row of an anonymous answer names nobody and no record either.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases.services.base import CaseRuleError
from mend.core import audit
from mend.outcomes.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from mend.outcomes.periods import local_date
from mend.processes.feed_services import hash_token
from mend.processes.mail import language_for
from mend.programs.models import Program

UNKNOWN = "unknown"
USED = "used"
EXPIRED = "expired"
CLOSED = "closed"


class AlreadyAnswered(CaseRuleError):
    pass


@dataclass(frozen=True)
class Opened:
    """What a working link opens: one version, for one role ("" when nobody is known)."""

    version: SurveyVersion
    program: Program
    role: str
    anonymous: bool
    # The participant's own language, or the program's (before any choice on the page).
    language: str
    invitation: SurveyInvitation | None = None
    link: SurveyLink | None = None

    def questions(self) -> list[SurveyQuestion]:
        return [q for q in self.version.questions.all() if q.asks(self.role)]


def _digest(token: str) -> str | None:
    if not token or len(token) > 200:
        return None
    return hash_token(token)


def _first_language(program: Program) -> str:
    return next(iter(program.offered_languages), "en")


def open_survey(token: str, *, for_update: bool = False) -> Opened | str:
    """The survey the token opens, or why not: unknown, used, expired or closed."""
    digest = _digest(token)
    if digest is None:
        return UNKNOWN
    invitations = SurveyInvitation.objects.select_related(
        "version__template", "program", "participant__person"
    )
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(Q(token_hash=digest) | Q(reminder_token_hash=digest)).first()
    if invitation is not None:
        kept = (invitation.token_hash, invitation.reminder_token_hash)
        if not any(hmac.compare_digest(digest, h) for h in kept if h):
            return UNKNOWN
        if invitation.answered:
            return USED
        if invitation.expires_at <= timezone.now():
            return EXPIRED
        return Opened(
            version=invitation.version,
            program=invitation.program,
            role=invitation.role,
            anonymous=invitation.anonymous,
            language=language_for(invitation.participant.person, invitation.program),
            invitation=invitation,
        )
    link = (
        SurveyLink.objects.select_related("version__template", "program")
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(digest, link.token_hash):
        return UNKNOWN
    if link.revoked_at is not None:
        return CLOSED
    return Opened(
        version=link.version,
        program=link.program,
        role="",
        anonymous=True,
        language=_first_language(link.program),
        link=link,
    )


@dataclass(frozen=True)
class Given:
    """One answer as the form cleaned it: a choice code, or free text."""

    choice: str = ""
    text: str = ""


def _answered_on(opened: Opened) -> date:
    today = local_date(timezone.now(), opened.program)
    return today.replace(day=1) if opened.anonymous else today


@transaction.atomic
def answer_survey(*, token: str, answers: dict[str, Given], language: str) -> SurveyResponse:
    """Store one set of answers (keyed by question code). The invitation's row lock
    serves two submits of the same link one after the other: the second is refused."""
    opened = open_survey(token, for_update=True)
    if opened == USED:
        raise AlreadyAnswered(_("These questions have already been answered. Thank you."))
    if not isinstance(opened, Opened):
        raise CaseRuleError(_("This link no longer works."))
    asked = {q.code: q for q in opened.questions()}
    invitation = opened.invitation
    identified = invitation is not None and not opened.anonymous
    response = SurveyResponse.objects.create(
        program=opened.program,
        version=opened.version,
        kind=opened.version.template.kind,
        anonymous=opened.anonymous,
        participant=invitation.participant if identified and invitation else None,
        invitation=invitation if identified else None,
        case_id=invitation.participant.case_id if identified and invitation else None,
        role=opened.role,
        language=language,
        answered_on=_answered_on(opened),
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            question=asked[code],
            code=code,
            choice=given.choice,
            text=given.text,
        )
        for code, given in answers.items()
        if code in asked and (given.choice or given.text)
    )
    if invitation is not None:
        invitation.answered = True
        invitation.answered_at = None if opened.anonymous else timezone.now()
        invitation.save(update_fields=["answered", "answered_at"])
    if opened.anonymous:
        # Nothing that could point back at the invitation or the person.
        audit.record(
            actor=None,
            actor_label="survey",
            action="survey.answered_anonymously",
            program=opened.program,
        )
    else:
        assert invitation is not None
        audit.record(
            actor=None,
            actor_label="survey",
            action="survey.answered",
            obj=invitation,
            subject=invitation.participant.case,
            program=opened.program,
            kind=response.kind,
            participant=invitation.participant_id,
        )
    return response

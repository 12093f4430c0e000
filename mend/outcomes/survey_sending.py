"""Sending surveys: automatically at the two moments, or by hand, and the e-mail itself.

BASELINE goes once a participant has given consent to be contacted (the consent every
process needs from everyone taking part), before the process; AFTER goes when the case
closes as completed. Either goes only while the person's consent to be contacted for
evaluation is current (a minor's guardian's too), to a participant still taking part.

The link's token is random; only its SHA-256 is kept. The e-mail is sent after the
transaction commits, in this process: a task queue would have to store the token. A
person with no e-mail address gets no e-mail: the invitation waits for a coordinator
to make a link and hand it over (survey_views).

What the e-mail says: the program's name, that it asks how things went, and the link.
No case reference, no names of anyone else: an e-mail may be read by someone else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.models import Case, Participant
from mend.cases.queries import case_facts
from mend.cases.rules import CaseFacts
from mend.cases.services.base import Blocked
from mend.cases.stages import ENDED, Outcome
from mend.core import audit
from mend.outcomes.models import SurveyInvitation, SurveyKind
from mend.outcomes.survey_services import current_version, fix, new_token, survey_of
from mend.processes.mail import language_for
from mend.programs.models import ConsentPurpose

logger = logging.getLogger(__name__)

# How long a link stays open for an answer.
OPEN_DAYS = 60
# Interpreters help others take part; they are not asked about the process.
SURVEYED_ROLES = frozenset(set(Participant.Role.values) - {Participant.Role.INTERPRETER})
COMPLETED = frozenset({Outcome.COMPLETED_WITH_AGREEMENT, Outcome.COMPLETED_WITHOUT_AGREEMENT})


@dataclass(frozen=True)
class Sent:
    invitation: SurveyInvitation
    # Shown once to the person who sent it by hand when it could not go by e-mail.
    token: str


def may_survey(facts: CaseFacts, participant: Participant) -> bool:
    """Consent to be contacted for evaluation is current, and the person takes part."""
    return (
        participant.is_active
        and participant.role in SURVEYED_ROLES
        and facts.consent(participant, ConsentPurpose.EVALUATION)
    )


def address_of(participant: Participant) -> str:
    return str(participant.person.email or "").strip()


def _send(
    facts: CaseFacts,
    participant: Participant,
    kind: str,
    *,
    by: User | None,
    anonymous: bool,
) -> Sent:
    program = facts.case.program
    version = current_version(survey_of(program, kind))
    fix(version)
    token, digest = new_token()
    address = address_of(participant)
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        program=program,
        version=version,
        participant=participant,
        role=participant.role,
        kind=kind,
        anonymous=anonymous,
        channel=SurveyInvitation.Channel.EMAIL if address else SurveyInvitation.Channel.BY_HAND,
        token_hash=digest,
        sent_by=by,
        sent_at=now,
        expires_at=now + timedelta(days=OPEN_DAYS),
    )
    audit.record(
        actor=by,
        action="survey.sent",
        obj=invitation,
        subject=facts.case,
        program=program,
        kind=kind,
        participant=participant.pk,
        channel=invitation.channel,
        anonymous=anonymous,
        automatic=by is None,
    )
    if address:
        invitation_id = invitation.pk
        transaction.on_commit(lambda: deliver(invitation_id, token))
    return Sent(invitation, token)


def _already(participant: Participant, kind: str) -> bool:
    return SurveyInvitation.objects.filter(participant=participant, kind=kind).exists()


@transaction.atomic
def send_survey(*, participant: Participant, kind: str, by: User, anonymous: bool = False) -> Sent:
    """Send a survey by hand. Refused without current consent to be contacted for
    evaluation, and while the same survey waits for the person's answer."""
    if kind not in SurveyKind.values:
        raise Blocked(_("Choose which survey to send."))
    locked = (
        Participant.objects.select_for_update()
        .select_related("case__program")
        .get(pk=participant.pk)
    )
    facts = case_facts(locked.case)
    current = next(p for p in facts.participants if p.pk == locked.pk)
    name = str(current.person)
    if not current.is_active:
        raise Blocked(
            _("%(name)s has withdrawn from the case: no survey goes to them.") % {"name": name}
        )
    if not may_survey(facts, current):
        raise Blocked(
            _(
                "%(name)s has not given consent to be contacted for evaluation, or it is no "
                "longer current: no survey can be sent. Record their consent first."
            )
            % {"name": name}
        )
    waiting = (
        SurveyInvitation.objects.filter(
            participant=current, kind=kind, answered=False, expires_at__gt=timezone.now()
        )
        .order_by("-sent_at")
        .first()
    )
    if waiting is not None:
        raise Blocked(
            _(
                "This survey is already waiting for %(name)s's answer, until %(day)s. To hand "
                "it over, make a new link from the list of surveys sent."
            )
            % {"name": name, "day": date_format(timezone.localdate(waiting.expires_at))}
        )
    return _send(facts, current, kind, by=by, anonymous=anonymous)


def send_when_due(case: Case, by: User | None, reason: str) -> None:
    """The case_changed hook: BASELINE once consent is given, AFTER at completion."""
    if reason == registry.CONSENT_CHANGED and case.stage not in ENDED:
        kind = SurveyKind.BASELINE
    elif reason == registry.CLOSED and case.outcome in COMPLETED:
        kind = SurveyKind.AFTER
    else:
        return
    facts = case_facts(case)
    for participant in facts.participants:
        if not may_survey(facts, participant) or _already(participant, kind):
            continue
        if kind == SurveyKind.BASELINE and not facts.consent(participant, ConsentPurpose.CONTACT):
            continue
        _send(facts, participant, kind, by=None, anonymous=False)


def link_of(token: str, language: str = "") -> str:
    url = settings.MEND_SITE_URL + reverse("outcomes:survey_answer", args=[token])
    return f"{url}?lang={language}" if language else url


def message(invitation: SurveyInvitation, token: str, *, reminder: bool) -> EmailMessage:
    participant = invitation.participant
    program = invitation.program
    language = language_for(participant.person, program)
    with translation.override(language):
        names = {
            "program": program.name,
            "link": link_of(token, language),
            "day": date_format(timezone.localdate(invitation.expires_at), "j F Y"),
        }
        if reminder:
            subject = _("A reminder: a few questions from %(program)s") % names
        else:
            subject = _("A few questions from %(program)s") % names
        ask = (
            _("We would like to know how you feel before the process begins.")
            if invitation.kind == SurveyKind.BASELINE
            else _("We would like to know how the process went for you.")
        )
        lines = [
            _("Hello,"),
            "",
            ask,
            _("Every question is optional and it takes about five minutes."),
            _("Your answers are anonymous: they are not linked to you.")
            if invitation.anonymous
            else _("Your answers help %(program)s improve; they do not change your case.") % names,
            "",
            _("Answer here: %(link)s") % names,
            _("The link works until %(day)s, for one set of answers.") % names,
            "",
            _("If you would rather not answer, you need do nothing."),
            program.name,
        ]
    return EmailMessage(subject, "\n".join(lines) + "\n", None, [address_of(participant)])


def deliver(invitation_id: int, token: str, *, reminder: bool = False) -> bool:
    """Send the e-mail. If it cannot go, the invitation is marked to be handed over, so
    a coordinator sees it and makes a link instead."""
    invitation = (
        SurveyInvitation.objects.select_related("participant__person", "program")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not address_of(invitation.participant):
        return False
    try:
        message(invitation, token, reminder=reminder).send()
    except Exception:
        logger.exception("survey e-mail %s could not be sent", invitation_id)
        SurveyInvitation.objects.filter(pk=invitation_id).update(
            channel=SurveyInvitation.Channel.BY_HAND
        )
        return False
    return True


@transaction.atomic
def hand_over_link(
    *, invitation: SurveyInvitation, by: User, expected_version: int | None
) -> tuple[SurveyInvitation, str]:
    """A new link for a survey that waits to be handed over (no e-mail address, or the
    e-mail failed). Any earlier link of it stops working. Returns the token, shown once."""
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if expected_version is not None and locked.row_version != expected_version:
        raise Blocked(_("Someone made a link for this survey meanwhile. Look again."))
    if locked.channel != SurveyInvitation.Channel.BY_HAND:
        raise Blocked(_("This survey went by e-mail: its link is in the person's e-mail."))
    if locked.answered or locked.expires_at <= timezone.now():
        raise Blocked(_("This survey has been answered or has expired: it needs no link."))
    facts = case_facts(locked.participant.case)
    current = next(p for p in facts.participants if p.pk == locked.participant_id)
    if not may_survey(facts, current):
        raise Blocked(
            _(
                "%(name)s's consent to be contacted for evaluation is no longer current: "
                "the survey cannot be handed over."
            )
            % {"name": current.person}
        )
    token, digest = new_token()
    locked.token_hash = digest
    locked.reminder_token_hash = ""
    locked.row_version += 1
    locked.save(update_fields=["token_hash", "reminder_token_hash", "row_version"])
    audit.record(
        actor=by,
        action="survey.link_handed_over",
        obj=locked,
        subject=facts.case,
        program=locked.program,
        participant=locked.participant_id,
    )
    return locked, token

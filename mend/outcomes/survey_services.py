"""Writes to survey templates: the defaults on first use, new versions of the questions,
and program-wide anonymous links. Each audited in its own transaction.

A version's words are fixed once it has gone to anyone (`fix`): changing the questions
after that makes a new version; before, the unsent version is changed in place.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.accounts.models import User
from mend.cases.models import Participant
from mend.core import audit
from mend.outcomes.models import (
    QuestionKind,
    SurveyKind,
    SurveyLink,
    SurveyQuestion,
    SurveyTemplate,
    SurveyVersion,
)
from mend.outcomes.survey_defaults import DEFAULTS
from mend.processes.feed_services import hash_token
from mend.programs.models import Program

TOKEN_BYTES = 32


class StaleSurvey(ValidationError):
    pass


@dataclass(frozen=True)
class QuestionDraft:
    code: str
    kind: str
    text: str
    text_es: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    required: bool = False


def new_token() -> tuple[str, str]:
    """A random link token and the SHA-256 kept of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def current_version(template: SurveyTemplate) -> SurveyVersion:
    found = template.versions.order_by("-number").first()
    assert found is not None, "every survey has a first version"
    return found


def _add_questions(version: SurveyVersion, drafts: list[QuestionDraft]) -> None:
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            version=version,
            code=draft.code,
            position=position,
            kind=draft.kind,
            text=draft.text,
            text_es=draft.text_es,
            roles=list(draft.roles),
            required=draft.required,
        )
        for position, draft in enumerate(drafts, start=1)
    )


@transaction.atomic
def ensure_surveys(program: Program, by: User | None = None) -> dict[str, SurveyTemplate]:
    """The program's surveys by kind, the default ones made on first use. The program's
    row lock makes two first uses at once make them once."""
    existing = {t.kind: t for t in SurveyTemplate.objects.filter(program=program)}
    if len(existing) == len(SurveyKind.values):
        return existing
    Program.objects.select_for_update().filter(pk=program.pk).first()
    existing = {t.kind: t for t in SurveyTemplate.objects.filter(program=program)}
    for kind in SurveyKind.values:
        if kind in existing:
            continue
        template = SurveyTemplate.objects.create(program=program, kind=kind)
        version = SurveyVersion.objects.create(template=template, number=1)
        _add_questions(
            version,
            [QuestionDraft(q.code, q.kind, q.text, q.text_es, q.roles) for q in DEFAULTS[kind]],
        )
        audit.record(actor=by, action="survey.created", obj=template, program=program, kind=kind)
        existing[kind] = template
    return existing


def survey_of(program: Program, kind: str) -> SurveyTemplate:
    return ensure_surveys(program)[kind]


def fix(version: SurveyVersion) -> None:
    """Mark the version as sent: its words never change from now on."""
    if version.sent_at is None:
        SurveyVersion.objects.filter(pk=version.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        version.refresh_from_db(fields=["sent_at"])


def check_drafts(drafts: list[QuestionDraft]) -> None:
    if not drafts:
        raise ValidationError(_("A survey needs at least one question."))
    codes = [d.code for d in drafts]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each question needs its own code."))
    for draft in drafts:
        if draft.kind not in QuestionKind.values:
            raise ValidationError(_("Choose what kind of answer each question takes."))
        if not draft.text.strip() or not draft.text_es.strip():
            raise ValidationError(_("Write every question in English and in Spanish."))
        if any(role not in Participant.Role.values for role in draft.roles):
            raise ValidationError(_("Choose the roles from the list."))


@transaction.atomic
def revise_questions(
    *,
    template: SurveyTemplate,
    questions: list[QuestionDraft],
    by: User,
    expected_version: int | None,
) -> SurveyVersion:
    """Set the survey's questions. A version already sent stays as it was, with its
    answers: the new questions become a new version, sent from now on."""
    locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleSurvey(
            _("Someone changed this survey while you were editing it. Look again and retry.")
        )
    check_drafts(questions)
    version = current_version(locked)
    if version.is_fixed:
        version = SurveyVersion.objects.create(template=locked, number=version.number + 1)
    else:
        version.questions.all().delete()
    _add_questions(version, questions)
    locked.version += 1
    locked.save(update_fields=["version"])
    audit.record(
        actor=by,
        action="survey.revised",
        obj=locked,
        program=locked.program,
        kind=locked.kind,
        number=version.number,
    )
    return version


@transaction.atomic
def make_anonymous_link(*, version: SurveyVersion, by: User) -> tuple[SurveyLink, str]:
    """A program-wide link whose answers carry no identity. Returns the token, shown once."""
    fix(version)
    token, digest = new_token()
    link = SurveyLink.objects.create(
        program=version.template.program, version=version, token_hash=digest, created_by=by
    )
    audit.record(
        actor=by,
        action="survey.link_created",
        obj=link,
        program=link.program,
        kind=version.template.kind,
        number=version.number,
    )
    return link, token


@transaction.atomic
def revoke_anonymous_link(*, link: SurveyLink, by: User) -> SurveyLink:
    locked = SurveyLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This link no longer works already."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(actor=by, action="survey.link_revoked", obj=locked, program=locked.program)
    return locked

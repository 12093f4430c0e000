"""Every write to letters and messages. Each takes the case's row lock, checks the version
the form was opened on and audits, in one transaction (see services.py for meetings).

A letter is drafted, reviewed version by version (approved, returned for the author to
revise, or withheld), and only an approved version's copy for the recipient is delivered,
to a recipient who may receive it now. Every version is kept; none is ever changed after
its review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mend.cases.models import Case, Participant
from mend.cases.queries import case_facts
from mend.cases.services.base import Blocked, blocked, changed, lock_case
from mend.cases.stages import Stage
from mend.core.dates import past_date
from mend.core.languages import page_language_or_default
from mend.processes.gates import PROFESSIONALS, delivery_refusals
from mend.processes.leaks import contact_details_in
from mend.processes.models import Letter, LetterVersion
from mend.processes.redaction import Range, passages_of, recipient_copy

if TYPE_CHECKING:
    from mend.accounts.models import User

# Letters are written and reviewed from preparation on; the parties hear from each other
# only once the restorative process has begun.
WRITING_STAGES = frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})
DELIVERY_STAGES = frozenset({Stage.PROCESS, Stage.AGREEMENT})
LONGEST = 20_000
DELIVERED = "delivered"
DECLINED = "declined"


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Enter the text of the letter.")})
    if len(body) > LONGEST:
        raise ValidationError({"body": _("A letter is 20,000 characters at most.")})
    return body


def _check_writing(case: Case) -> None:
    if case.stage not in WRITING_STAGES:
        raise Blocked(_("Letters are written and reviewed from preparation to follow-up only."))


def _lock_letter(case: Case, letter: Letter) -> Letter:
    fresh = Letter.objects.select_for_update().filter(pk=letter.pk, case=case).first()
    if fresh is None:
        raise ValidationError({"letter": _("Choose a letter of this case.")})
    return fresh


def _latest(letter: Letter) -> LetterVersion:
    version: LetterVersion = letter.versions.select_for_update().order_by("-number").first()  # type: ignore[assignment]
    return version


def _check_people(case: Case, author: Participant, recipient: Participant) -> None:
    errors = {}
    for field, person in (("author", author), ("recipient", recipient)):
        if person.case_id != case.pk:
            errors[field] = _("Choose someone in this case.")
        elif not person.is_active:
            errors[field] = _("%(name)s has withdrawn from the case.") % {"name": person.person}
        elif person.role in PROFESSIONALS:
            errors[field] = _("An interpreter does not write or receive letters.")
    if author.pk == recipient.pk and "recipient" not in errors:
        errors["recipient"] = _("Choose someone other than the author.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def draft_letter(
    *,
    case: Case,
    author: Participant,
    recipient: Participant,
    body: str,
    kind: str = Letter.Kind.LETTER,
    reply_to: Letter | None = None,
    by: User,
    expected_version: int | None,
) -> Letter:
    """Staff enter a letter on its author's behalf: its first version, awaiting review."""
    lock_case(case, expected_version)
    _check_writing(case)
    if kind not in Letter.Kind.values:
        raise ValidationError({"kind": _("Choose a letter or a message.")})
    body = _check_body(body)
    _check_people(case, author, recipient)
    if reply_to is not None:
        # As it is now, not as the form saw it.
        reply_to = Letter.objects.filter(pk=reply_to.pk).first() or reply_to
        if reply_to.case_id != case.pk or reply_to.status != Letter.Status.DELIVERED:
            raise ValidationError(
                {"reply_to": _("A reply answers a delivered letter of this case.")}
            )
        if reply_to.recipient_id != author.pk or reply_to.author_id != recipient.pk:
            raise ValidationError(
                {"reply_to": _("A reply goes from that letter's recipient back to its author.")}
            )
    letter = Letter.objects.create(
        case=case, kind=kind, author=author, recipient=recipient, reply_to=reply_to, created_by=by
    )
    LetterVersion.objects.create(letter=letter, number=1, body=body, written_by=by)
    changed(case, by=by, action="letter.drafted", obj=letter, kind=kind, reply=bool(reply_to))
    return letter


@transaction.atomic
def revise_letter(
    *, case: Case, letter: Letter, body: str, by: User, expected_version: int | None
) -> LetterVersion:
    """The author's new text after the facilitator returned it: a new version."""
    lock_case(case, expected_version)
    _check_writing(case)
    letter = _lock_letter(case, letter)
    if letter.status != Letter.Status.RETURNED:
        raise Blocked(_("Only a letter returned to its author can be revised."))
    body = _check_body(body)
    previous = _latest(letter)
    number = previous.number + 1
    version = LetterVersion.objects.create(letter=letter, number=number, body=body, written_by=by)
    from mend.processes.attachments import carry_forward  # it builds on this module

    carry_forward(previous, version)
    letter.status = Letter.Status.AWAITING_REVIEW
    letter.version += 1
    letter.save(update_fields=["status", "version"])
    changed(case, by=by, action="letter.revised", obj=letter, number=number)
    return version


@transaction.atomic
def review_version(
    *,
    case: Case,
    letter: Letter,
    decision: str,
    comments: str = "",
    redact: Iterable[str] = (),
    redact_ranges: Sequence[Range] = (),
    by: User,
    expected_version: int | None,
) -> LetterVersion:
    """The facilitator's decision on the version awaiting review.

    Approving may remove passages (`redact`: exact passages of the text; `redact_ranges`:
    character ranges of it); returning needs comments for the author; withholding a reason.
    """
    lock_case(case, expected_version)
    _check_writing(case)
    letter = _lock_letter(case, letter)
    if letter.status != Letter.Status.AWAITING_REVIEW:
        raise Blocked(_("This letter has no version awaiting review."))
    version = _latest(letter)
    comments = comments.strip()
    redact = [p for p in redact if p.strip()]
    if decision not in (LetterVersion.Decision.APPROVED, *_WITH_REASON):
        raise ValidationError({"decision": _("Choose approve, return or withhold.")})
    if decision in _WITH_REASON and not comments:
        raise ValidationError({"comments": _WITH_REASON[decision]()})
    if decision != LetterVersion.Decision.APPROVED and (redact or redact_ranges):
        raise ValidationError({"redact": _("Passages are removed only from an approved letter.")})
    version.decision = decision
    version.comments = comments
    version.reviewed_by = by
    version.reviewed_at = timezone.now()
    if decision == LetterVersion.Decision.APPROVED:
        passages = passages_of(version.body, redact, redact_ranges)
        # The recipient reads the marker in their own language, not the reviewer's.
        reader = page_language_or_default(letter.recipient.person.preferred_language)
        with translation.override(reader):
            version.recipient_text = recipient_copy(version.body, passages)
        # What the recipient will read: the text and the names of the files kept.
        names = version.attachments.filter(removed=False).values_list("original_name", flat=True)
        reaching = "\n".join([version.recipient_text, *names])
        leaks = contact_details_in(reaching, case, letter.recipient)
        if leaks:
            raise ValidationError({"redact": leaks})
        version.redacted = len(passages)
    version.save()
    letter.status = _STATUS_AFTER[decision]
    letter.version += 1
    letter.save(update_fields=["status", "version"])
    details = {"obj": letter, "number": version.number}
    if decision == LetterVersion.Decision.APPROVED:
        changed(case, by=by, action="letter.approved", redacted=version.redacted, **details)  # type: ignore[arg-type]
    elif decision == LetterVersion.Decision.RETURNED:
        changed(case, by=by, action="letter.returned", **details)  # type: ignore[arg-type]
    else:
        changed(case, by=by, action="letter.withheld", **details)  # type: ignore[arg-type]
    return version


_WITH_REASON: dict[str, Callable[[], str]] = {
    LetterVersion.Decision.RETURNED: lambda: _("Say what the author should change."),
    LetterVersion.Decision.WITHHELD: lambda: _("Say why the letter is withheld."),
}
_STATUS_AFTER: dict[str, str] = {
    LetterVersion.Decision.APPROVED: Letter.Status.APPROVED,
    LetterVersion.Decision.RETURNED: Letter.Status.RETURNED,
    LetterVersion.Decision.WITHHELD: Letter.Status.WITHHELD,
}


@transaction.atomic
def record_delivery(
    *,
    case: Case,
    letter: Letter,
    outcome: str,
    on: date,
    method: str = "",
    by: User,
    expected_version: int | None,
) -> Letter:
    """The approved letter was delivered (how, and when), or its recipient declined it."""
    lock_case(case, expected_version)
    letter = _lock_letter(case, letter)
    if letter.status != Letter.Status.APPROVED:
        raise Blocked(_("Only an approved letter can be delivered."))
    if case.stage not in DELIVERY_STAGES:
        raise Blocked(_("A letter is delivered only once the restorative process has begun."))
    if outcome not in (DELIVERED, DECLINED):
        raise ValidationError({"outcome": _("Say whether it was delivered or declined.")})
    try:
        past_date(on)
    except ValidationError as error:
        raise ValidationError({"delivered_on": error.messages}) from error
    if outcome == DECLINED:
        letter.status = Letter.Status.DECLINED
        letter.declined_on = on
        letter.version += 1
        letter.save(update_fields=["status", "declined_on", "version"])
        changed(case, by=by, action="letter.declined", obj=letter)
        return letter
    if method not in Letter.Method.values:
        raise ValidationError({"method": _("Say how the letter was delivered.")})
    refusals = delivery_refusals(case_facts(case), letter.author, letter.recipient)
    if refusals:
        raise blocked(case, refusals)
    letter.status = Letter.Status.DELIVERED
    letter.delivered_on = on
    letter.delivery_method = method
    letter.version += 1
    letter.save(update_fields=["status", "delivered_on", "delivery_method", "version"])
    changed(case, by=by, action="letter.delivered", obj=letter, method=method)
    return letter


def copy_for_recipient(letter: Letter) -> str | None:
    """What the recipient may read: the delivered, approved version's copy, or None.

    The only read of a letter any recipient-facing page (the future portal) may use: it
    never returns the author's text itself, nor a version that was not approved.
    """
    delivered = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DELIVERED)
    version = (
        LetterVersion.objects.filter(letter__in=delivered, decision=LetterVersion.Decision.APPROVED)
        .order_by("-number")
        .first()
    )
    return version.recipient_text if version is not None else None

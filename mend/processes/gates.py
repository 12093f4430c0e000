"""What must hold for a meeting to be planned, confirmed or held: pure rules over the
case's facts, worded as the case rules' notices so each refusal names the person."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.utils.translation import gettext as _

from mend.cases import notices
from mend.cases.models import Participant
from mend.cases.notices import Notice, Reading
from mend.cases.rules import CaseFacts
from mend.programs.models import ConsentPurpose, OffenceCategory, ProcessType
from mend.programs.practice import DIRECT_PROCESSES, purposes_for_process

# Interpreters attend as professionals: no consent or assessment of their own is asked.
PROFESSIONALS = frozenset({Participant.Role.INTERPRETER})


def _not_prepared(notice: Notice, reading: Reading) -> str:
    return _(
        "%(name)s has had no preparation meeting held yet: in cases of “%(category)s” each "
        "party meets staff on their own before any joint meeting."
    ) % {"name": reading.name(notice), "category": _(reading.case.offence_category.label)}


def register_wordings() -> None:
    notices.register(
        "guardian_not_invited",
        lambda n, r: (
            _("%(name)s is under 18: their parent or guardian must be invited too.")
            % {"name": r.name(n)}
        ),
    )
    notices.register("not_prepared", _not_prepared)
    notices.register(
        "preparation_one_party",
        lambda n, r: _("A preparation meeting is with one party and their support people only."),
    )
    notices.register(
        "shuttle_one_party",
        lambda n, r: _(
            "In a shuttle round the facilitator meets one side at a time: invite one party "
            "and their support people."
        ),
    )
    notices.register("no_invitees", lambda n, r: _("Invite at least one person."))


def meeting_refusals(
    facts: CaseFacts,
    kind: str,
    invitees: Iterable[Participant],
    prepared: Collection[int] = frozenset(),
) -> list[Notice]:
    """Why a meeting of `kind` with these invitees may not take place ([]: it may).

    `prepared` holds the participants who attended a preparation meeting that was held.
    """
    invited = list(invitees)
    if not invited:
        return [Notice("no_invitees")]
    found = invitee_refusals(facts, kind, invited)
    parties = [p for p in invited if p.is_party]
    if kind == ProcessType.PREPARATION and len(parties) > 1:
        found.append(Notice("preparation_one_party"))
    if kind == ProcessType.SHUTTLE and len(parties) > 1:
        found.append(Notice("shuttle_one_party"))
    specialist = facts.case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY
    if kind in DIRECT_PROCESSES and specialist:
        found += [Notice("not_prepared", p.pk) for p in parties if p.pk not in prepared]
    return list(dict.fromkeys(found))


def invitee_refusals(facts: CaseFacts, kind: str, invited: list[Participant]) -> list[Notice]:
    """What stops these people meeting: withdrawal, an order, consent, assessment, a minor's
    guardian.

    The automatic cancellation asks this too: what can stop holding after a meeting is set.
    """
    found: list[Notice] = []
    ids = {p.pk for p in invited}
    for participant in invited:
        if not participant.is_active:
            found.append(Notice("withdrawn", participant.pk))
            continue
        # Anyone under an active order stays out of a joint meeting until a coordinator
        # records that the order permits it.
        order = facts.order_notice(participant) if kind in DIRECT_PROCESSES else None
        if order is not None:
            found.append(order)
        if participant.role in PROFESSIONALS:
            continue
        for purpose in purposes_for_process(kind):
            notice = facts.consent_notice(participant, purpose)
            if notice is not None:
                found.append(notice)
        assessment = facts.assessment(participant)
        if assessment is None:
            found.append(Notice("no_assessment", participant.pk))
        elif not assessment.is_positive:
            found.append(Notice("not_suitable", participant.pk))
        if participant.person.is_minor and participant.role != Participant.Role.GUARDIAN:
            guardians = facts.guardians_of(participant)
            if not guardians:
                found.append(Notice("minor_without_guardian", participant.pk))
            elif not ids & {g.pk for g in guardians}:
                found.append(Notice("guardian_not_invited", participant.pk))
    return found


def delivery_refusals(
    facts: CaseFacts, author: Participant, recipient: Participant
) -> list[Notice]:
    """What stops a letter from `author` being delivered to `recipient` ([]: nothing).

    The recipient must be in the case, have current consent to indirect communication and
    a current suitable assessment; an author who withdrew is not passed on either.
    """
    found: list[Notice] = []
    by_pk = {p.pk: p for p in facts.participants}
    author, recipient = by_pk.get(author.pk, author), by_pk.get(recipient.pk, recipient)
    if not author.is_active:
        found.append(Notice("withdrawn", author.pk))
    if not recipient.is_active:
        return [*found, Notice("withdrawn", recipient.pk)]
    notice = facts.consent_notice(recipient, ConsentPurpose.INDIRECT)
    if notice is not None:
        found.append(notice)
    assessment = facts.assessment(recipient)
    if assessment is None:
        found.append(Notice("no_assessment", recipient.pk))
    elif not assessment.is_positive:
        found.append(Notice("not_suitable", recipient.pk))
    return found

"""The people in a case: adding them, offers, consent, safety assessments and contact."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases import registry
from mend.cases.models import (
    Case,
    ConsentEntry,
    Note,
    Participant,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.queries import case_facts
from mend.cases.rules import GIVEN, NOT_ASKED, may_contact
from mend.cases.services.base import Blocked, InvalidMove, changed, lock_case
from mend.cases.services.intake import PartyDetails, person_for
from mend.cases.services.moves import enforce_conditions
from mend.cases.stages import ENDED
from mend.programs.models import ConsentPurpose

if TYPE_CHECKING:
    from mend.accounts.models import User


def _in_case(case: Case, participant: Participant, field: str = "participant") -> Participant:
    """The participant, reloaded, if they belong to this case."""
    if participant.case_id != case.pk:
        raise ValidationError({field: _("Choose someone in this case.")})
    participant.refresh_from_db()
    return participant


@transaction.atomic
def add_participant(
    *,
    case: Case,
    party: PartyDetails,
    role: str,
    by: User,
    supports: Participant | None = None,
    takes_part: bool = True,
    expected_version: int | None,
) -> Participant:
    lock_case(case, expected_version)
    if case.stage in ENDED:
        raise InvalidMove(_("People cannot be added to a closed case."))
    if role not in Participant.Role.values:
        raise ValidationError({"role": _("Choose the person's role in the case.")})
    if role in (Participant.Role.SUPPORTER, Participant.Role.GUARDIAN) and supports is None:
        raise ValidationError({"supports": _("Say whom this person supports.")})
    if supports is not None:
        supports = _in_case(case, supports, "supports")
        if not supports.is_active:
            raise ValidationError(
                {"supports": _("%(name)s has withdrawn from the case.") % {"name": supports.person}}
            )
    participant = Participant.objects.create(
        case=case,
        person=person_for(case.program, party),
        role=role,
        supports=supports,
        takes_part=takes_part,
        admits_responsibility=party.admits_responsibility,
    )
    changed(
        case,
        by=by,
        action="participant.added",
        obj=participant,
        role=role,
        participant=participant.pk,
    )
    # Someone new in the process needs consent and a safety assessment before it goes on.
    enforce_conditions(case, by=by)
    return participant


def _refuse_contact(case: Case, participant: Participant) -> None:
    facts = case_facts(case)
    notice = may_contact(facts, participant)
    if notice is not None:
        raise Blocked(
            *facts.say([notice]),
            _("Contact stops. If they got in touch themselves, record their consent again first."),
        )


@dataclass
class OfferDetails:
    offered_on: date
    channel: str
    response: str = RJOffer.Response.INTERESTED


def _offer(participant: Participant, offer: OfferDetails, by: User) -> RJOffer:
    record = RJOffer(
        participant=participant,
        offered_on=offer.offered_on,
        offered_by=by,
        channel=offer.channel,
        response=offer.response,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_rj_offer(
    *,
    participant: Participant,
    offered_on: date,
    channel: str,
    response: str,
    by: User,
    expected_version: int | None,
) -> RJOffer:
    case = lock_case(participant.case, expected_version)
    participant = _in_case(case, participant)
    if participant.role != Participant.Role.HARMED:
        raise ValidationError(_("Restorative justice offers are recorded for harmed parties."))
    if channel != RJOffer.Channel.VIA_REFERRER:
        _refuse_contact(case, participant)
    offer = _offer(participant, OfferDetails(offered_on, channel, response), by)
    changed(case, by=by, action="offer.recorded", obj=offer, participant=participant.pk)
    return offer


# The changes a ledger can make: asked for the first time, a change of mind, taking it back.
CONSENT_CHANGES: dict[str, frozenset[str]] = {
    NOT_ASKED: frozenset({ConsentEntry.Decision.GIVEN, ConsentEntry.Decision.DECLINED}),
    ConsentEntry.Decision.GIVEN: frozenset({ConsentEntry.Decision.WITHDRAWN}),
    ConsentEntry.Decision.DECLINED: frozenset({ConsentEntry.Decision.GIVEN}),
    ConsentEntry.Decision.WITHDRAWN: frozenset({ConsentEntry.Decision.GIVEN}),
}


def _check_change(name: str, purpose: str, current: str, decision: str) -> None:
    if decision in CONSENT_CHANGES.get(current, frozenset()):
        return
    label = ConsentPurpose(purpose).label
    if current == GIVEN:
        message = _("%(name)s has given consent %(purpose)s: record that they withdrew it.")
    elif decision == ConsentEntry.Decision.WITHDRAWN:
        message = _("%(name)s has not given consent %(purpose)s, so there is none to withdraw.")
    elif decision == NOT_ASKED:
        message = _("%(name)s has already been asked for consent %(purpose)s.")
    else:
        message = _("%(name)s has already said no to consent %(purpose)s.")
    raise ValidationError(
        {purpose: message % {"name": name, "purpose": str(label).lower()}},
    )


@transaction.atomic
def record_consents(
    *,
    participant: Participant,
    decisions: Mapping[str, str],
    method: str,
    decided_on: date,
    by: User,
    expected_version: int | None,
    note: str = "",
    guardian: Participant | None = None,
    offer: OfferDetails | None = None,
) -> list[ConsentEntry]:
    """Record one person's decisions on one or more consent purposes, as ledger entries.

    `decisions` maps purposes to "given", "declined" or "withdrawn"; a purpose whose
    decision equals what the ledger already says is left alone. A harmed party's first
    consent to be contacted needs the restorative justice offer recorded (pass `offer`
    when it has not been). Withdrawing may move the case back at once.
    """
    case = lock_case(participant.case, expected_version)
    participant = _in_case(case, participant)
    offered = case.program.offered_purposes
    facts = case_facts(case)
    if guardian is not None:
        guardian = _in_case(case, guardian, "guardian")
        if not (
            guardian.role == Participant.Role.GUARDIAN
            and guardian.is_active
            and guardian.supports_id == participant.pk
        ):
            raise ValidationError(
                {
                    "guardian": _("Choose a parent or guardian of %(name)s taking part.")
                    % {"name": participant.person}
                }
            )
    changes: dict[str, str] = {}
    for purpose, decision in decisions.items():
        if purpose not in offered or purpose not in ConsentPurpose.values:
            raise ValidationError({"purpose": _("This program does not ask consent for that.")})
        current = (
            facts.guardian_state(participant, purpose)
            if guardian is not None
            else facts.consent_state(participant, purpose)
        )
        if decision == current:
            continue
        _check_change(str(participant.person), purpose, current, decision)
        changes[purpose] = decision
    if not changes:
        raise ValidationError(_("Nothing has changed: choose at least one new decision."))
    if (
        any(d == ConsentEntry.Decision.GIVEN for d in changes.values())
        and not participant.is_active
    ):
        raise Blocked(_("%(name)s has withdrawn from the case.") % {"name": participant.person})
    if (
        changes.get(ConsentPurpose.CONTACT) == ConsentEntry.Decision.GIVEN
        and participant.role == Participant.Role.HARMED
        and not facts.offered(participant)
    ):
        if offer is None:
            raise ValidationError(
                {
                    "offered_on": _(
                        "Say when and how restorative justice was offered to %(name)s: "
                        "consent to be contacted follows the offer."
                    )
                    % {"name": participant.person}
                }
            )
        recorded = _offer(participant, offer, by)
        changed(case, by=by, action="offer.recorded", obj=recorded, participant=participant.pk)
    entries = []
    for purpose, decision in changes.items():
        entry = ConsentEntry(
            participant=participant,
            purpose=purpose,
            decision=decision,
            method=method,
            decided_on=decided_on,
            note=note,
            guardian=guardian,
            recorded_by=by,
        )
        entry.full_clean()
        entry.save()
        entries.append(entry)
        changed(
            case,
            by=by,
            action=f"consent.{decision}",
            obj=entry,
            purpose=purpose,
            decision=decision,
            participant=participant.pk,
            by_guardian=guardian is not None,
        )
    # Any entry re-checks: time may have ended an assessment since the last look.
    enforce_conditions(case, by=by)
    registry.case_changed(case, by, registry.CONSENT_CHANGED)
    return entries


def record_consent(
    *,
    participant: Participant,
    purpose: str,
    decision: str,
    method: str,
    decided_on: date,
    by: User,
    expected_version: int | None,
    note: str = "",
    guardian: Participant | None = None,
    offer: OfferDetails | None = None,
) -> ConsentEntry:
    """One decision on one purpose (see record_consents)."""
    return record_consents(
        participant=participant,
        decisions={purpose: decision},
        method=method,
        decided_on=decided_on,
        by=by,
        expected_version=expected_version,
        note=note,
        guardian=guardian,
        offer=offer,
    )[0]


ASSESSMENT_QUESTIONS = (
    "risk_of_harm",
    "power_imbalance",
    "domestic_abuse_indicators",
    "wellbeing_affecting_participation",
    "capacity_and_readiness",
    "language_and_access",
    "support_in_place",
)


@transaction.atomic
def record_assessment(
    *,
    participant: Participant,
    assessed_on: date,
    result: str,
    answers: dict[str, str],
    by: User,
    expected_version: int | None,
    conditions: str = "",
) -> SafetyAssessment:
    """A new safety assessment. A 'not suitable' one moves the case out of the process."""
    case = lock_case(participant.case, expected_version)
    participant = _in_case(case, participant)
    if not participant.is_active:
        raise InvalidMove(_("%(name)s has withdrawn from the case.") % {"name": participant.person})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    if result == SafetyAssessment.Result.WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": _("Write down the conditions.")})
    unknown = set(answers) - set(ASSESSMENT_QUESTIONS)
    if unknown:
        raise ValidationError(_("Unknown assessment question."))
    assessment = SafetyAssessment(
        participant=participant,
        assessed_on=assessed_on,
        assessor=by,
        result=result,
        conditions=conditions,
        answers=json.dumps(answers, sort_keys=True),
    )
    assessment.full_clean()
    assessment.save()
    changed(
        case,
        by=by,
        action="assessment.recorded",
        obj=assessment,
        result=result,
        participant=participant.pk,
    )
    enforce_conditions(case, by=by)
    registry.case_changed(case, by, registry.ASSESSMENT_RECORDED)
    return assessment


@transaction.atomic
def record_contact(
    *,
    case: Case,
    participant: Participant,
    channel: str,
    outcome: str,
    body: str,
    by: User,
    expected_version: int | None,
) -> Note:
    """A contact attempt: refused once the person declined or withdrew consent to contact."""
    lock_case(case, expected_version)
    participant = _in_case(case, participant)
    _refuse_contact(case, participant)
    note = Note(
        case=case,
        kind=Note.Kind.CONTACT,
        author=by,
        participant=participant,
        channel=channel,
        contact_outcome=outcome,
        body=body,
    )
    note.full_clean()
    note.save()
    changed(case, by=by, action="case.contact_recorded", obj=note, participant=participant.pk)
    return note


@transaction.atomic
def assign_contact(
    *,
    case: Case,
    participant: Participant,
    volunteer: User | None,
    by: User,
    expected_version: int | None,
) -> Participant:
    """Ask a volunteer on the case team to contact a person (they then see how to)."""
    lock_case(case, expected_version)
    participant = _in_case(case, participant)
    if volunteer is not None:
        on_team = case.assignments.filter(user=volunteer, role="volunteer").exists()
        if not on_team:
            raise ValidationError({"volunteer": _("Choose a volunteer on this case's team.")})
        _refuse_contact(case, participant)
    participant.contact_by = volunteer
    participant.save(update_fields=["contact_by"])
    changed(
        case,
        by=by,
        action="case.contact_assigned",
        obj=participant,
        changed_fields=["contact_by"],
        participant=participant.pk,
    )
    return participant

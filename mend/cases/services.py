"""Every write to referrals and cases. Each verb audits in its own transaction.

The rules (what blocks a move, current consent, current assessments) live in `rules.py`;
these functions load the facts, ask the rules, and refuse with `Blocked` when a rule says no.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases import events
from mend.cases.models import (
    Case,
    CaseAssignment,
    ConsentEntry,
    EligibilityDecision,
    Note,
    Participant,
    Person,
    Referral,
    RJOffer,
    SafetyAssessment,
    StageChange,
)
from mend.cases.queries import case_facts
from mend.cases.rules import must_leave_process, what_blocks
from mend.cases.stages import (
    ALLOWED,
    COMPLETION_OUTCOMES,
    COMPLETION_STAGES,
    ENDED,
    PAUSABLE,
    Outcome,
    Stage,
)
from mend.core import audit
from mend.programs.models import Agency, OffenceCategory, Program

if TYPE_CHECKING:
    from mend.accounts.models import User


class CaseRuleError(Exception):
    """A request the practice rules refuse. `messages` are plain sentences for the user."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class Blocked(CaseRuleError):
    pass


class InvalidMove(CaseRuleError):
    pass


class StaleCase(CaseRuleError):
    """Someone else changed the case since this form was opened."""


# --- Intake --------------------------------------------------------------------------


@dataclass
class PartyDetails:
    """A harmed or responsible party as the referrer describes them."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    preferred_language: str = ""
    accessibility_needs: str = ""
    preferred_contact: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    # Link to someone the program already knows instead of creating a new record.
    existing_person: Person | None = None
    admits_responsibility: bool | None = None
    rj_offered_on: date | None = None
    consents_to_contact: bool | None = None


@dataclass
class ReferrerDetails:
    name: str
    email: str = ""
    phone: str = ""
    staff_id: str = ""


@dataclass
class ReferralDetails:
    incident_reference: str
    incident_date: date
    offence_category: OffenceCategory
    justice_stage: str
    summary: str = ""
    harmed: list[PartyDetails] = field(default_factory=list)
    responsible: list[PartyDetails] = field(default_factory=list)


def _next_number(program: Program, year: int) -> int:
    # Lock the program row so two referrals arriving together get different numbers
    # (on SQLite, IMMEDIATE transactions already serialise writers).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    last = Case.objects.filter(program=program, year=year).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def _person_for(program: Program, party: PartyDetails) -> Person:
    if party.existing_person is not None:
        if party.existing_person.program_id != program.pk:
            raise ValidationError(_("That person belongs to another program."))
        return party.existing_person
    person = Person(
        program=program,
        given_name=party.given_name.strip(),
        family_name=party.family_name.strip(),
        date_of_birth=party.date_of_birth,
        preferred_language=party.preferred_language,
        accessibility_needs=party.accessibility_needs,
        preferred_contact=party.preferred_contact,
        phone=party.phone,
        email=party.email,
        address=party.address,
    )
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def submit_referral(
    *,
    program: Program,
    details: ReferralDetails,
    referrer: ReferrerDetails,
    agency: Agency | None,
    by: User | None,
    source: str = Referral.Source.FORM,
) -> Referral:
    """Record a referral and open its case at the Referral stage."""
    if not details.harmed:
        raise ValidationError(_("Name at least one harmed party."))
    if details.offence_category.program_id != program.pk:
        raise ValidationError(_("Choose an offence category of this program."))
    if agency is not None and agency.program_id != program.pk:
        raise ValidationError(_("Choose an agency of this program."))
    if details.incident_date > timezone.localdate():
        raise ValidationError(_("The incident date cannot be in the future."))
    referral = Referral(
        program=program,
        agency=agency,
        submitted_by=by,
        source=source,
        referrer_name=referrer.name,
        referrer_email=referrer.email,
        referrer_phone=referrer.phone,
        referrer_staff_id=referrer.staff_id,
        incident_reference=details.incident_reference,
        incident_date=details.incident_date,
        offence_category=details.offence_category,
        summary=details.summary,
        justice_stage=details.justice_stage,
    )
    referral.full_clean()
    referral.save()
    year = timezone.localdate().year
    number = _next_number(program, year)
    case = Case.objects.create(
        program=program,
        referral=referral,
        reference=f"{program.reference_prefix}-{year}-{number:04d}",
        year=year,
        number=number,
        stage=Stage.REFERRAL,
        offence_category=details.offence_category,
    )
    StageChange.objects.create(case=case, from_stage="", to_stage=Stage.REFERRAL, by=by)
    for role, parties in (
        (Participant.Role.HARMED, details.harmed),
        (Participant.Role.RESPONSIBLE, details.responsible),
    ):
        for party in parties:
            participant = Participant.objects.create(
                case=case,
                person=_person_for(program, party),
                role=role,
                admits_responsibility=party.admits_responsibility,
            )
            if party.rj_offered_on:
                RJOffer.objects.create(
                    participant=participant,
                    offered_on=party.rj_offered_on,
                    offered_by=None,
                    channel=RJOffer.Channel.VIA_REFERRER,
                    response=RJOffer.Response.INTERESTED
                    if party.consents_to_contact
                    else RJOffer.Response.NO_RESPONSE,
                )
    audit.record(actor=by, action="referral.received", obj=referral, program=program, source=source)
    audit.record(actor=by, action="case.opened", obj=case, program=program)
    return referral


# --- Moving a case ---------------------------------------------------------------------


def _save(case: Case, fields: list[str], expected_version: int | None) -> None:
    """Write the case if nobody else changed it since `expected_version` was read."""
    updates = {name: getattr(case, name) for name in fields}
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    changed = rows.update(**updates, version=F("version") + 1, updated_at=timezone.now())
    if not changed:
        raise StaleCase(
            _("Someone else changed this case while you were working on it. Reload the page.")
        )
    case.version = (expected_version or case.version) + 1


def _change_stage(
    case: Case,
    to: str,
    *,
    by: User | None,
    reason: str = "",
    automatic: bool = False,
    extra_fields: list[str] | None = None,
    expected_version: int | None = None,
) -> Case:
    old = case.stage
    case.stage = to
    fields = ["stage", *(extra_fields or [])]
    if not automatic and case.alert:
        case.alert = ""
        fields.append("alert")
    _save(case, fields, expected_version)
    StageChange.objects.create(
        case=case, from_stage=old, to_stage=to, by=by, reason=reason[:500], automatic=automatic
    )
    audit.record(
        actor=by,
        action="case.moved_automatically" if automatic else "case.moved",
        obj=case,
        program=case.program,
        changed_fields=["stage"],
        old=old,
        new=to,
    )
    return case


def _referral_changed(case: Case, event: str) -> None:
    """Tell listeners (such as partner webhooks), reading the referral as it now is."""
    referral = Referral.objects.select_related("case").get(pk=case.referral_id)
    events.referral_status_changed(referral, event)


def blockers_for(case: Case, to: str) -> list[str]:
    return what_blocks(case_facts(case), to)


@transaction.atomic
def move_case(
    *, case: Case, to: str, by: User, reason: str = "", expected_version: int | None = None
) -> Case:
    """One step along the case's path (or back a step), when nothing blocks it."""
    if to not in ALLOWED.get(case.stage, frozenset()):
        raise InvalidMove(
            _("A case cannot move from %(old)s to %(new)s.")
            % {"old": Stage(case.stage).label, "new": Stage(to).label}
        )
    blockers = blockers_for(case, to)
    if blockers:
        raise Blocked(*blockers)
    extra: list[str] = []
    event = ""
    if case.stage == Stage.REFERRAL and to == Stage.SCREENING:
        Referral.objects.filter(pk=case.referral_id).update(status=Referral.Status.SCREENING)
    if case.stage == Stage.SCREENING and to == Stage.CONTACT:
        Referral.objects.filter(pk=case.referral_id).update(
            status=Referral.Status.ACCEPTED, decided_by=by, decided_at=timezone.now()
        )
        event = events.ACCEPTED
    if case.stage == Stage.PREPARATION and to == Stage.PROCESS:
        # Stepping back from Agreement to Process is not a new start.
        event = events.PROCESS_STARTED
    _change_stage(
        case, to, by=by, reason=reason, extra_fields=extra, expected_version=expected_version
    )
    if event:
        _referral_changed(case, event)
    return case


@transaction.atomic
def decide_eligibility(
    *,
    case: Case,
    answers: dict[str, bool],
    reason: str,
    by: User,
    override_justification: str = "",
    expected_version: int | None = None,
) -> EligibilityDecision:
    """Record the screening checklist. Eligible only when every active criterion is met."""
    if case.stage not in (Stage.REFERRAL, Stage.SCREENING):
        raise InvalidMove(_("Eligibility is decided during screening."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, in a sentence or two.")})
    criteria = list(case.program.eligibility_criteria.filter(is_active=True))
    missing = [c.label for c in criteria if c.code not in answers]
    if missing:
        raise ValidationError(_("Answer every eligibility question."))
    passed = all(answers[c.code] for c in criteria)
    decision = EligibilityDecision.objects.create(
        case=case,
        passed=passed,
        answers={c.code: bool(answers[c.code]) for c in criteria},
        reason=reason,
        override_justification=override_justification.strip(),
        decided_by=by,
    )
    case.eligibility = Case.Eligibility.PASSED if passed else Case.Eligibility.FAILED
    _save(case, ["eligibility"], expected_version)
    audit.record(
        actor=by,
        action="case.eligibility_decided",
        obj=case,
        program=case.program,
        changed_fields=["eligibility"],
        passed=passed,
    )
    if override_justification.strip():
        audit.record(
            actor=by,
            action="case.category_overridden",
            obj=case,
            program=case.program,
            category=case.offence_category.code,
        )
    return decision


DECLINE_OUTCOMES: dict[str, str] = {
    Referral.DeclineReason.REFERRED_ELSEWHERE: Outcome.REFERRED_ELSEWHERE,
}


@transaction.atomic
def decline_referral(
    *, case: Case, reason: str, note: str, by: User, expected_version: int | None = None
) -> Case:
    """Decline at screening: the referral keeps its record, the case closes."""
    if case.stage not in (Stage.REFERRAL, Stage.SCREENING):
        raise InvalidMove(_("Only a referral being screened can be declined."))
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    Referral.objects.filter(pk=case.referral_id).update(
        status=Referral.Status.DECLINED,
        decline_reason=reason,
        decided_by=by,
        decided_at=timezone.now(),
    )
    # decision_note is encrypted, so it is saved through the model, not update().
    referral = case.referral
    referral.refresh_from_db()
    referral.decision_note = note
    referral.save(update_fields=["decision_note"])
    case.outcome = DECLINE_OUTCOMES.get(reason, Outcome.NOT_ELIGIBLE)
    case.closed_at = timezone.now()
    audit.record(
        actor=by, action="referral.declined", obj=referral, program=case.program, reason=reason
    )
    _change_stage(
        case,
        Stage.CLOSED,
        by=by,
        reason=str(Referral.DeclineReason(reason).label),
        extra_fields=["outcome", "closed_at"],
        expected_version=expected_version,
    )
    _referral_changed(case, events.DECLINED)
    return case


@transaction.atomic
def close_case(
    *,
    case: Case,
    outcome: str,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    if case.stage in ENDED:
        raise InvalidMove(_("This case is already closed."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how the case ended.")})
    stage = case.paused_from if case.stage == Stage.PAUSED else case.stage
    if outcome in COMPLETION_OUTCOMES and stage not in COMPLETION_STAGES:
        raise Blocked(_("A case can be completed only after the restorative process has started."))
    case.outcome = outcome
    case.closed_at = timezone.now()
    case.paused_from = ""
    case.paused_by = None
    _change_stage(
        case,
        Stage.CLOSED,
        by=by,
        reason=reason,
        extra_fields=["outcome", "closed_at", "paused_from", "paused_by"],
        expected_version=expected_version,
    )
    _referral_changed(case, events.CLOSED)
    return case


@transaction.atomic
def pause_case(
    *,
    case: Case,
    requested_by: Participant,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> Case:
    """A harmed party asks to pause. Only they can ask to resume."""
    if requested_by.case_id != case.pk or requested_by.role != Participant.Role.HARMED:
        raise Blocked(_("Only a harmed party in this case can ask to pause it."))
    if not requested_by.is_active:
        raise Blocked(_("This person has withdrawn from the case."))
    if case.stage not in PAUSABLE:
        raise InvalidMove(_("A case can be paused once contact has begun and before it ends."))
    case.paused_from = case.stage
    case.paused_by = requested_by
    return _change_stage(
        case,
        Stage.PAUSED,
        by=by,
        reason=reason,
        extra_fields=["paused_from", "paused_by"],
        expected_version=expected_version,
    )


@transaction.atomic
def resume_case(
    *, case: Case, requested_by: Participant, by: User, expected_version: int | None = None
) -> Case:
    if case.stage != Stage.PAUSED:
        raise InvalidMove(_("This case is not paused."))
    if requested_by.pk != case.paused_by_id:
        raise Blocked(
            _("Only %(name)s, who asked for the pause, can ask to resume.")
            % {"name": case.paused_by.person if case.paused_by else "-"}
        )
    to = case.paused_from
    case.paused_from = ""
    case.paused_by = None
    _change_stage(
        case,
        to,
        by=by,
        reason=_("Resumed at the request of %(name)s.") % {"name": requested_by.person},
        extra_fields=["paused_from", "paused_by"],
        expected_version=expected_version,
    )
    _step_back_if_unsafe(case, by=by)
    return case


# --- People in the case -----------------------------------------------------------------


@transaction.atomic
def add_participant(
    *,
    case: Case,
    party: PartyDetails,
    role: str,
    by: User,
    supports: Participant | None = None,
    takes_part: bool = True,
) -> Participant:
    if case.stage in ENDED:
        raise InvalidMove(_("People cannot be added to a closed case."))
    if role in (Participant.Role.SUPPORTER, Participant.Role.GUARDIAN) and supports is None:
        raise ValidationError({"supports": _("Say whom this person supports.")})
    if supports is not None and supports.case_id != case.pk:
        raise ValidationError({"supports": _("Choose someone in this case.")})
    participant = Participant.objects.create(
        case=case,
        person=_person_for(case.program, party),
        role=role,
        supports=supports,
        takes_part=takes_part,
        admits_responsibility=party.admits_responsibility,
    )
    audit.record(
        actor=by, action="participant.added", obj=participant, program=case.program, role=role
    )
    # Someone new in the process needs consent and a safety assessment before it goes on.
    _step_back_if_unsafe(case, by=by)
    return participant


@transaction.atomic
def record_rj_offer(
    *, participant: Participant, offered_on: date, channel: str, response: str, by: User
) -> RJOffer:
    if participant.role != Participant.Role.HARMED:
        raise ValidationError(_("Restorative justice offers are recorded for harmed parties."))
    offer = RJOffer(
        participant=participant,
        offered_on=offered_on,
        offered_by=by,
        channel=channel,
        response=response,
    )
    offer.full_clean()
    offer.save()
    audit.record(actor=by, action="offer.recorded", obj=offer, program=participant.case.program)
    return offer


@transaction.atomic
def record_consent(
    *,
    participant: Participant,
    purpose: str,
    decision: str,
    method: str,
    decided_on: date,
    by: User,
    note: str = "",
    guardian: Participant | None = None,
) -> ConsentEntry:
    """Add an entry to the consent ledger. Withdrawing may move the case back."""
    case = participant.case
    if purpose not in case.program.consent_purposes:
        raise ValidationError({"purpose": _("This program does not ask consent for that.")})
    if guardian is not None and (
        guardian.case_id != case.pk
        or guardian.role != Participant.Role.GUARDIAN
        or not guardian.is_active
    ):
        raise ValidationError(
            {"guardian": _("Choose a parent or guardian taking part in this case.")}
        )
    if decision == ConsentEntry.Decision.GIVEN and not participant.is_active:
        raise Blocked(_("%(name)s has withdrawn from the case.") % {"name": participant.person})
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
    audit.record(
        actor=by,
        action=f"consent.{decision}",
        obj=entry,
        program=case.program,
        purpose=purpose,
    )
    # Any entry re-checks: time may have ended an assessment since the last look.
    _step_back_if_unsafe(case, by=by)
    return entry


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
    conditions: str = "",
) -> SafetyAssessment:
    """A new safety assessment. A 'not suitable' one moves the case out of the process."""
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
    audit.record(
        actor=by,
        action="assessment.recorded",
        obj=assessment,
        program=participant.case.program,
        result=result,
    )
    _step_back_if_unsafe(participant.case, by=by)
    return assessment


@transaction.atomic
def step_back_if_unsafe(*, case: Case) -> bool:
    """For the daily sweep: leave the process if, for example, an assessment has expired.

    Returns True when the case moved.
    """
    before = case.stage
    _step_back_if_unsafe(case, by=None)
    return case.stage != before


def _step_back_if_unsafe(case: Case, *, by: User | None) -> None:
    """Leave Restorative process at once when consent or safety no longer hold."""
    case.refresh_from_db()
    reason = must_leave_process(case_facts(case))
    if not reason:
        return
    case.alert = _("Moved back to preparation automatically: %(reason)s") % {"reason": reason}
    _change_stage(
        case,
        Stage.PREPARATION,
        by=by,
        reason=reason,
        automatic=True,
        extra_fields=["alert"],
    )
    Note.objects.create(case=case, kind=Note.Kind.SYSTEM, author=None, body=case.alert)


@transaction.atomic
def withdraw_participant(
    *, participant: Participant, method: str, reason: str, by: User
) -> Participant:
    """Anyone may withdraw at any stage. The last harmed or responsible party ends the case."""
    if not participant.is_active:
        raise InvalidMove(_("%(name)s has already withdrawn.") % {"name": participant.person})
    case = participant.case
    participant.status = Participant.Status.WITHDRAWN
    participant.withdrawn_at = timezone.now()
    participant.withdrawal_method = method
    participant.withdrawal_reason = reason
    participant.withdrawal_recorded_by = by
    participant.save(
        update_fields=[
            "status",
            "withdrawn_at",
            "withdrawal_method",
            "withdrawal_reason",
            "withdrawal_recorded_by",
        ]
    )
    # Withdrawing takes back every consent given, as dated ledger entries.
    facts = case_facts(case)
    for purpose in case.program.consent_purposes:
        if facts.consent(participant, purpose) or any(
            e.purpose == purpose and e.decision == ConsentEntry.Decision.GIVEN
            for e in facts.consents.get(participant.pk, [])
        ):
            ConsentEntry.objects.create(
                participant=participant,
                purpose=purpose,
                decision=ConsentEntry.Decision.WITHDRAWN,
                method=ConsentEntry.Method.VERBAL
                if method != ConsentEntry.Method.WRITTEN
                else method,
                decided_on=timezone.localdate(),
                note=_("Withdrew from the case."),
                recorded_by=by,
            )
    audit.record(
        actor=by,
        action="participant.withdrawn",
        obj=participant,
        program=case.program,
        changed_fields=["status"],
        role=participant.role,
    )
    case.refresh_from_db()
    if case.stage in ENDED:
        return participant
    remaining = case.participants.filter(role=participant.role, status=Participant.Status.ACTIVE)
    if participant.is_party and not remaining.exists():
        case.outcome = (
            Outcome.WITHDRAWN_BY_HARMED_PARTY
            if participant.role == Participant.Role.HARMED
            else Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY
        )
        case.closed_at = timezone.now()
        case.paused_from = ""
        case.paused_by = None
        _change_stage(
            case,
            Stage.WITHDRAWN,
            by=by,
            reason=_("%(name)s withdrew.") % {"name": participant.person},
            extra_fields=["outcome", "closed_at", "paused_from", "paused_by"],
        )
        _referral_changed(case, events.CLOSED)
    elif case.stage == Stage.PAUSED and case.paused_by_id == participant.pk:
        # The person who asked for the pause has left: the others decide from here.
        to = case.paused_from
        case.paused_from = ""
        case.paused_by = None
        _change_stage(
            case,
            to,
            by=by,
            reason=_("%(name)s, who asked for the pause, withdrew.") % {"name": participant.person},
            extra_fields=["paused_from", "paused_by"],
        )
        _step_back_if_unsafe(case, by=by)
    else:
        _step_back_if_unsafe(case, by=by)
    return participant


# --- Team, process, notes --------------------------------------------------------------


@transaction.atomic
def assign_team(
    *,
    case: Case,
    lead: User | None,
    co_facilitators: list[User],
    volunteers: list[User],
    by: User,
) -> Case:
    members = {lead.pk} if lead else set()
    members |= {u.pk for u in co_facilitators} | {u.pk for u in volunteers}
    from mend.programs.models import Membership

    current = set(
        Membership.objects.active()
        .filter(program=case.program, user_id__in=members)
        .values_list("user_id", flat=True)
    )
    if members - current:
        raise ValidationError(_("Everyone on the team must hold a role in this program."))
    case.lead_facilitator = lead
    _save(case, ["lead_facilitator"], None)
    CaseAssignment.objects.filter(case=case).delete()
    CaseAssignment.objects.bulk_create(
        [
            CaseAssignment(case=case, user=u, role=CaseAssignment.Role.CO_FACILITATOR)
            for u in co_facilitators
            if not lead or u.pk != lead.pk
        ]
        + [
            CaseAssignment(case=case, user=u, role=CaseAssignment.Role.VOLUNTEER)
            for u in volunteers
            if u not in co_facilitators and (not lead or u.pk != lead.pk)
        ]
    )
    audit.record(
        actor=by,
        action="case.team_assigned",
        obj=case,
        program=case.program,
        changed_fields=["lead_facilitator", "assignments"],
    )
    return case


@transaction.atomic
def choose_process(*, case: Case, process: str, by: User) -> Case:
    if process not in case.program.process_types:
        raise ValidationError({"process": _("This program does not offer that process.")})
    if case.stage in ENDED:
        raise InvalidMove(_("This case is closed."))
    case.planned_process = process
    _save(case, ["planned_process"], None)
    audit.record(
        actor=by,
        action="case.process_chosen",
        obj=case,
        program=case.program,
        changed_fields=["planned_process"],
    )
    _step_back_if_unsafe(case, by=by)
    return case


@transaction.atomic
def add_note(
    *,
    case: Case,
    body: str,
    by: User,
    restricted: bool = False,
    participant: Participant | None = None,
    channel: str = "",
    contact_outcome: str = "",
) -> Note:
    kind = Note.Kind.CONTACT if channel else Note.Kind.NOTE
    if kind == Note.Kind.NOTE and not body.strip():
        raise ValidationError({"body": _("Write the note.")})
    if participant is not None and participant.case_id != case.pk:
        raise ValidationError({"participant": _("Choose someone in this case.")})
    note = Note(
        case=case,
        kind=kind,
        author=by,
        participant=participant,
        channel=channel,
        contact_outcome=contact_outcome,
        body=body,
        restricted=restricted,
    )
    note.full_clean()
    note.save()
    audit.record(
        actor=by,
        action="case.contact_recorded" if channel else "case.note_added",
        obj=note,
        program=case.program,
        restricted=restricted,
    )
    return note


@transaction.atomic
def record_case_view(*, case: Case, by: User, **details: Any) -> None:
    """Every look at a case is recorded; coordinators can see who looked."""
    audit.record(actor=by, action="case.viewed", obj=case, program=case.program, **details)

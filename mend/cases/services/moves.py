"""Moving a case: screening, the steps of its path, pauses, withdrawals and closing.

After anything that can change whether a case may stay where it is, `enforce_conditions`
asks the rules and moves the case back (or warns, in agreement and follow-up) at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases import events, registry
from mend.cases.models import (
    Case,
    ConsentEntry,
    EligibilityDecision,
    Note,
    Participant,
    Referral,
    StageChange,
)
from mend.cases.notices import Notice, alert_data
from mend.cases.queries import case_facts
from mend.cases.rules import step_back_to, what_blocks, what_no_longer_holds
from mend.cases.services.base import Blocked, InvalidMove, blocked, changed, lock_case
from mend.cases.stages import (
    ALLOWED,
    COMPLETION_OUTCOMES,
    COMPLETION_STAGES,
    ENDED,
    MAIN_PATH,
    PAUSABLE,
    Outcome,
    Stage,
)
from mend.core import audit

if TYPE_CHECKING:
    from mend.accounts.models import User


def _change_stage(
    case: Case,
    to: str,
    *,
    by: User | None,
    reason: str = "",
    notice: dict[str, Any] | None = None,
    automatic: bool = False,
    fields: list[str] | None = None,
) -> Case:
    old = case.stage
    case.stage = to
    fields = ["stage", *(fields or [])]
    if not automatic and case.alert:
        case.alert = {}
        fields.append("alert")
    StageChange.objects.create(
        case=case,
        from_stage=old,
        to_stage=to,
        by=by,
        reason=reason,
        notice=notice or {},
        automatic=automatic,
    )
    changed(
        case,
        by=by,
        action="case.moved_automatically" if automatic else "case.moved",
        fields=fields,
        old=old,
        new=to,
    )
    return case


def _referral_changed(case: Case, event: str) -> None:
    """Tell listeners (such as partner webhooks), reading the referral as it now is."""
    referral = Referral.objects.select_related("case").get(pk=case.referral_id)
    events.referral_status_changed(referral, event)


def blockers_for(case: Case, to: str) -> list[str]:
    facts = case_facts(case)
    return facts.say(what_blocks(facts, to))


def _is_forward(old: str, new: str) -> bool:
    path = [str(stage) for stage in MAIN_PATH]
    return old in path and new in path and path.index(new) > path.index(old)


@transaction.atomic
def move_case(
    *, case: Case, to: str, by: User, reason: str = "", expected_version: int | None
) -> Case:
    """One step along the case's path (or back a step), when nothing blocks it."""
    lock_case(case, expected_version)
    if to not in ALLOWED.get(case.stage, frozenset()):
        raise InvalidMove(
            _("A case cannot move from %(old)s to %(new)s.")
            % {"old": Stage(case.stage).label, "new": Stage(to).label}
        )
    # Going forward, and going back into the process (reconvening), the rules must hold;
    # stepping back from the process or from preparation is always allowed.
    if _is_forward(case.stage, to) or to == Stage.PROCESS:
        notices = what_blocks(case_facts(case), to)
        if notices:
            raise blocked(case, notices)
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
    _change_stage(case, to, by=by, reason=reason)
    if event:
        _referral_changed(case, event)
    enforce_conditions(case, by=by)
    return case


@transaction.atomic
def decide_eligibility(
    *,
    case: Case,
    answers: dict[str, bool],
    reason: str,
    by: User,
    override_justification: str = "",
    expected_version: int | None,
) -> EligibilityDecision:
    """Record the screening checklist. Eligible only when every active criterion is met."""
    lock_case(case, expected_version)
    if case.stage not in (Stage.REFERRAL, Stage.SCREENING):
        raise InvalidMove(_("Eligibility is decided during screening."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, in a sentence or two.")})
    criteria = list(case.program.eligibility_criteria.filter(is_active=True))
    missing = [c.display_label for c in criteria if c.code not in answers]
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
    changed(
        case,
        by=by,
        action="case.eligibility_decided",
        obj=decision,
        fields=["eligibility"],
        passed=passed,
    )
    if override_justification.strip():
        # The justification itself stays in the (encrypted) decision; the audit row points
        # at it so coordinators can read it back from the audit trail.
        audit.record(
            actor=by,
            action="case.category_overridden",
            obj=decision,
            subject=case,
            program=case.program,
            category=case.offence_category.code,
        )
    return decision


DECLINE_OUTCOMES: dict[str, str] = {
    Referral.DeclineReason.REFERRED_ELSEWHERE: Outcome.REFERRED_ELSEWHERE,
}


@transaction.atomic
def decline_referral(
    *, case: Case, reason: str, note: str, by: User, expected_version: int | None
) -> Case:
    """Decline at screening: the referral keeps its record, the case closes."""
    lock_case(case, expected_version)
    if case.stage not in (Stage.REFERRAL, Stage.SCREENING):
        raise InvalidMove(_("Only a referral being screened can be declined."))
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    referral = Referral.objects.select_for_update().get(pk=case.referral_id)
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.decision_note = note
    referral.save(
        update_fields=["status", "decline_reason", "decided_by", "decided_at", "decision_note"]
    )
    audit.record(
        actor=by,
        action="referral.declined",
        obj=referral,
        subject=case,
        program=case.program,
        reason=reason,
    )
    case.outcome = DECLINE_OUTCOMES.get(reason, Outcome.NOT_ELIGIBLE)
    case.closed_at = timezone.now()
    _change_stage(
        case,
        Stage.CLOSED,
        by=by,
        notice={"kind": "declined", "value": reason},
        fields=["outcome", "closed_at"],
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
    expected_version: int | None,
) -> Case:
    lock_case(case, expected_version)
    if case.stage in ENDED:
        raise InvalidMove(_("This case is already closed."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how the case ended.")})
    if outcome in COMPLETION_OUTCOMES:
        if case.stage == Stage.PAUSED:
            # A pause is the harmed party's; only they can end it by resuming.
            raise Blocked(
                _(
                    "This case is paused at the harmed party's request: it can be closed "
                    "only as not completed, or resumed first."
                )
            )
        if case.stage not in COMPLETION_STAGES:
            raise Blocked(
                _("A case can be completed only after the restorative process has started.")
            )
        facts = case_facts(case)
        notices = registry.stage_conditions(facts, registry.COMPLETING)
        if outcome == Outcome.COMPLETED_WITH_AGREEMENT:
            notices += registry.stage_conditions(facts, registry.COMPLETING_WITH_AGREEMENT)
        if notices:
            raise blocked(case, notices)
    case.outcome = outcome
    case.closed_at = timezone.now()
    case.paused_from = ""
    case.paused_by = None
    _change_stage(
        case,
        Stage.CLOSED,
        by=by,
        reason=reason,
        fields=["outcome", "closed_at", "paused_from", "paused_by"],
    )
    _referral_changed(case, events.CLOSED)
    registry.case_changed(case, by, registry.CLOSED)
    return case


@transaction.atomic
def record_agreement_reached(*, case: Case, on: date, by: User | None) -> Case:
    """Every party agreed to what will be done, the last of them `on` that day (an app
    built on cases says so).

    The first time only: the case keeps the day, and the referrer and partner systems
    are told that an agreement was reached, never what it says. A later version agreed
    after reconvening is not news to them."""
    lock_case(case, None)
    if case.agreement_reached_on is not None:
        return case
    case.agreement_reached_on = on
    changed(case, by=by, action="case.agreement_reached", fields=["agreement_reached_on"])
    if case.stage not in ENDED:
        _referral_changed(case, events.AGREEMENT_REACHED)
    return case


@transaction.atomic
def pause_case(
    *,
    case: Case,
    requested_by: Participant,
    reason: str,
    by: User,
    expected_version: int | None,
) -> Case:
    """A harmed party asks to pause. Only they can ask to resume."""
    lock_case(case, expected_version)
    if requested_by.case_id != case.pk or requested_by.role != Participant.Role.HARMED:
        raise Blocked(_("Only a harmed party in this case can ask to pause it."))
    requested_by.refresh_from_db()
    if not requested_by.is_active:
        raise Blocked(_("This person has withdrawn from the case."))
    if case.stage not in PAUSABLE:
        raise InvalidMove(_("A case can be paused once contact has begun and before it ends."))
    case.paused_from = case.stage
    case.paused_by = requested_by
    _change_stage(
        case,
        Stage.PAUSED,
        by=by,
        reason=reason,
        fields=["paused_from", "paused_by"],
    )
    registry.case_changed(case, by, registry.PAUSED)
    return case


@transaction.atomic
def resume_case(
    *, case: Case, requested_by: Participant, by: User, expected_version: int | None
) -> Case:
    lock_case(case, expected_version)
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
        notice={"kind": "resumed", "participant": requested_by.pk},
        fields=["paused_from", "paused_by"],
    )
    enforce_conditions(case, by=by)
    return case


@transaction.atomic
def withdraw_participant(
    *,
    participant: Participant,
    method: str,
    reason: str,
    by: User,
    expected_version: int | None,
    reason_code: str = "",
) -> Participant:
    """Anyone may withdraw at any stage. The last harmed or responsible party ends the case.
    `reason_code` is why, as a code for the reports ("" when not recorded)."""
    case = lock_case(participant.case, expected_version)
    participant.refresh_from_db()
    if not participant.is_active:
        raise InvalidMove(_("%(name)s has already withdrawn.") % {"name": participant.person})
    if method not in ConsentEntry.Method.values:
        raise ValidationError({"method": _("Say how they told us.")})
    if reason_code and reason_code not in Participant.WithdrawalReason.values:
        raise ValidationError({"reason_code": _("Choose a reason from the list.")})
    participant.status = Participant.Status.WITHDRAWN
    participant.withdrawn_at = timezone.now()
    participant.withdrawal_method = method
    participant.withdrawal_reason = reason
    participant.withdrawal_reason_code = reason_code
    participant.withdrawal_recorded_by = by
    participant.contact_by = None
    participant.save(
        update_fields=[
            "status",
            "withdrawn_at",
            "withdrawal_method",
            "withdrawal_reason",
            "withdrawal_reason_code",
            "withdrawal_recorded_by",
            "contact_by",
        ]
    )
    # Withdrawing takes back every consent they had given, as dated ledger entries.
    given = {
        entry.purpose
        for entry in ConsentEntry.objects.filter(participant=participant, guardian=None)
        if entry.decision == ConsentEntry.Decision.GIVEN
    }
    facts = case_facts(case)
    for purpose in sorted(given):
        if facts.consent_state(participant, purpose) == ConsentEntry.Decision.GIVEN:
            ConsentEntry.objects.create(
                participant=participant,
                purpose=purpose,
                decision=ConsentEntry.Decision.WITHDRAWN,
                method=method,
                decided_on=timezone.localdate(),
                on_withdrawal=True,
                recorded_by=by,
            )
    changed(
        case,
        by=by,
        action="participant.withdrawn",
        obj=participant,
        changed_fields=["status"],
        role=participant.role,
        participant=participant.pk,
    )
    if case.stage in ENDED:
        registry.case_changed(case, by, registry.WITHDRAWAL)
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
            notice={"kind": "withdrew", "participant": participant.pk},
            fields=["outcome", "closed_at", "paused_from", "paused_by"],
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
            notice={"kind": "pause_ended", "participant": participant.pk},
            fields=["paused_from", "paused_by"],
        )
    enforce_conditions(case, by=by)
    registry.case_changed(case, by, registry.WITHDRAWAL)
    return participant


def enforce_conditions(case: Case, *, by: User | None) -> None:
    """Act on the rules at once when the conditions for the case's stage stop holding.

    In preparation and the process the case steps back; in agreement and follow-up the
    agreement stands, so the team is warned instead (and reconvening stays blocked).
    Called under the case's row lock, by the service that made the change.
    """
    if case.stage in ENDED or case.stage == Stage.PAUSED:
        return
    facts = case_facts(case)
    notices = what_no_longer_holds(facts)
    if not notices:
        if case.alert.get("kind") == "conditions":
            case.alert = {}
            changed(case, by=by, action="case.conditions_restored", fields=["alert"])
        return
    to = step_back_to(facts)
    if to is None:
        alert = alert_data("conditions", notices)
        if case.alert != alert:
            case.alert = alert
            Note.objects.create(case=case, kind=Note.Kind.SYSTEM, author=None, notice=alert)
            changed(
                case,
                by=by,
                action="case.conditions_changed",
                fields=["alert"],
                reasons=",".join(n.code for n in notices),
            )
        return
    alert = alert_data("moved_back", notices, to=to)
    case.alert = alert
    _change_stage(case, to, by=by, notice=alert, automatic=True, fields=["alert"])


@transaction.atomic
def step_back_if_unsafe(*, case: Case) -> bool:
    """For the daily sweep: act on conditions that time alone can end (an assessment
    running out). Returns True when the case moved."""
    lock_case(case, None)
    before = case.stage
    enforce_conditions(case, by=None)
    return case.stage != before


@transaction.atomic
def recheck_for_apps(*, case: Case) -> None:
    """For the daily sweep: let the apps built on cases act on what time alone ended
    (processes cancels the future meetings an order starting today forbids)."""
    lock_case(case, None)
    registry.case_changed(case, None, registry.DAILY_CHECK)


def unsafe_notices(case: Case) -> list[Notice]:
    """What no longer holds for the case where it stands (paused: where it was)."""
    facts = case_facts(case)
    stage = case.paused_from if case.stage == Stage.PAUSED else case.stage
    return what_no_longer_holds(facts, stage)

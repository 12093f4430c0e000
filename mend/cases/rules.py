"""The practice rules, as pure functions over a case's loaded facts.

The case page, the guards in services and the tests all ask these same functions, so what
the user is shown as blocking is exactly what the service enforces. Each rule answers with
`Notice`s (codes and ids), worded in the reader's language by `mend.cases.notices`.

Two questions are asked of a case:
- `what_blocks(facts, to)`: what stops it moving to `to`. The conditions add up along the
  path: a case in the process must still meet what screening and contact required.
- `what_no_longer_holds(facts)`: what has stopped holding in a stage where people are in
  contact (preparation, the process, agreement and follow-up). The services act on it at
  once: see `step_back_to`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from mend.cases import registry
from mend.cases.models import (
    Case,
    ConsentEntry,
    Participant,
    ProtectiveOrder,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.notices import Notice, Reading
from mend.cases.stages import Stage
from mend.programs.models import ConsentPurpose, OffenceCategory
from mend.programs.practice import (
    DIRECT_PROCESSES,
    main_purpose_for_process,
    purposes_for_process,
)

NOT_ASKED = "not_asked"
GIVEN = ConsentEntry.Decision.GIVEN
DECLINED = ConsentEntry.Decision.DECLINED
WITHDRAWN = ConsentEntry.Decision.WITHDRAWN

# Stages in which people are in contact with the program, and the conditions for being
# there must keep holding.
CONTACT_STAGES = frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})


def latest_decision(entries: Iterable[ConsentEntry]) -> str:
    """The state of one ledger (one purpose, one voice): the latest entry, or not asked."""
    latest = max(entries, key=lambda e: (e.recorded_at, e.pk or 0), default=None)
    return latest.decision if latest is not None else NOT_ASKED


def has_consent(participant: Participant, purpose: str, entries: Iterable[ConsentEntry]) -> bool:
    """Current consent for a purpose. A minor needs their own and a guardian's.

    `entries` are the participant's ledger; a guardian's entries count only when the
    caller has kept those of the minor's own guardians (CaseFacts does).
    """
    entries = [e for e in entries if e.purpose == purpose]
    own = latest_decision(e for e in entries if e.guardian_id is None)
    if own != GIVEN:
        return False
    if participant.person.is_minor:
        return latest_decision(e for e in entries if e.guardian_id is not None) == GIVEN
    return True


def current_assessment(
    assessments: Iterable[SafetyAssessment], validity_days: int, today: date
) -> SafetyAssessment | None:
    """The latest assessment, if still within the program's validity period."""
    latest = latest_assessment(assessments)
    if latest is None or latest.assessed_on + timedelta(days=validity_days) < today:
        return None
    return latest


def latest_assessment(assessments: Iterable[SafetyAssessment]) -> SafetyAssessment | None:
    return max(assessments, key=lambda a: (a.assessed_on, a.pk or 0), default=None)


def purpose_for_process(process: str) -> str:
    return main_purpose_for_process(process)


class CaseFacts:
    """Everything the rules need about one case, loaded once (see queries.case_facts)."""

    def __init__(
        self,
        case: Case,
        participants: list[Participant],
        consents: dict[int, list[ConsentEntry]],
        assessments: dict[int, list[SafetyAssessment]],
        today: date,
        latest_override: str = "",
        offers: dict[int, list[RJOffer]] | None = None,
        lead_is_specialist: bool = False,
        orders: dict[int, list[ProtectiveOrder]] | None = None,
        local_today: date | None = None,
    ) -> None:
        self.case = case
        self.participants = participants
        self.consents = consents
        self.assessments = assessments
        self.today = today
        self.latest_override = latest_override
        self.offers = offers or {}
        self.lead_is_specialist = lead_is_specialist
        self.orders = orders or {}
        # The program's own date: an order starts and ends on the program's clock.
        self.local_today = local_today or today

    @property
    def reading(self) -> Reading:
        return Reading(self.case, {p.pk: str(p.person) for p in self.participants})

    def say(self, notices: Iterable[Notice]) -> list[str]:
        from mend.cases.notices import render_all

        return render_all(notices, self.reading)

    def active(self, role: str | None = None) -> list[Participant]:
        return [p for p in self.participants if p.is_active and (role is None or p.role == role)]

    def taking_part(self, role: str | None = None) -> list[Participant]:
        return [p for p in self.active(role) if p.takes_part]

    def guardians_of(self, participant: Participant) -> list[Participant]:
        return [
            p for p in self.active(Participant.Role.GUARDIAN) if p.supports_id == participant.pk
        ]

    def _ledger(self, participant: Participant, purpose: str) -> list[ConsentEntry]:
        # A guardian's entry counts only while that guardian, the minor's own, is in the case.
        own_guardians = {g.pk for g in self.guardians_of(participant)}
        return [
            e
            for e in self.consents.get(participant.pk, [])
            if e.purpose == purpose and (e.guardian_id is None or e.guardian_id in own_guardians)
        ]

    def consent_state(self, participant: Participant, purpose: str) -> str:
        """The person's own decision for a purpose: not_asked, given, declined, withdrawn."""
        return latest_decision(e for e in self._ledger(participant, purpose) if not e.guardian_id)

    def guardian_state(self, participant: Participant, purpose: str) -> str:
        return latest_decision(e for e in self._ledger(participant, purpose) if e.guardian_id)

    def consent(self, participant: Participant, purpose: str) -> bool:
        return has_consent(participant, purpose, self._ledger(participant, purpose))

    def consent_notice(self, participant: Participant, purpose: str) -> Notice | None:
        """Why the person's consent for `purpose` is missing (None: it is given)."""
        own = self.consent_state(participant, purpose)
        if own != GIVEN:
            return Notice("consent", participant.pk, purpose, own)
        if participant.person.is_minor:
            guardian = self.guardian_state(participant, purpose)
            if guardian != GIVEN:
                return Notice("consent", participant.pk, purpose, f"guardian_{guardian}")
        return None

    def refused(self, participant: Participant, purpose: str) -> Notice | None:
        """The person (or a minor's guardian) said no: declined or withdrew."""
        notice = self.consent_notice(participant, purpose)
        if notice is not None and notice.state.removeprefix("guardian_") in (DECLINED, WITHDRAWN):
            return notice
        return None

    def assessment(self, participant: Participant) -> SafetyAssessment | None:
        return current_assessment(
            self.assessments.get(participant.pk, []),
            self.case.program.assessment_validity_days,
            self.today,
        )

    def offered(self, participant: Participant) -> bool:
        return bool(self.offers.get(participant.pk))

    def active_orders(self, participant: Participant) -> list[ProtectiveOrder]:
        return [o for o in self.orders.get(participant.pk, []) if o.is_active_on(self.local_today)]

    def order_notice(self, participant: Participant) -> Notice | None:
        """An active order that no coordinator has recorded as permitting a joint meeting."""
        for order in self.active_orders(participant):
            if not order.permits_meeting:
                return Notice("protective_order", participant.pk, order.kind)
        return None


# --- Conditions for each step ---------------------------------------------------------


def _screening_done(facts: CaseFacts) -> list[Notice]:
    """What accepting a referral needs, and every later stage still needs."""
    case = facts.case
    notices = []
    if case.eligibility != Case.Eligibility.PASSED:
        notices.append(Notice("eligibility"))
    handling = case.offence_category.handling
    if handling != OffenceCategory.Handling.ELIGIBLE and not facts.latest_override:
        notices.append(Notice("category_override"))
    if not case.lead_facilitator_id:
        notices.append(Notice("no_lead"))
    elif handling == OffenceCategory.Handling.SPECIALIST_ONLY and not facts.lead_is_specialist:
        notices.append(Notice("lead_not_specialist"))
    return notices


def _guardians(facts: CaseFacts, people: Iterable[Participant]) -> list[Notice]:
    return [
        Notice("minor_without_guardian", p.pk)
        for p in people
        if p.role != Participant.Role.GUARDIAN and p.person.is_minor and not facts.guardians_of(p)
    ]


def _contact_made(facts: CaseFacts) -> list[Notice]:
    """What preparation needs: offers made, and everyone taking part agreed to contact."""
    notices = [
        Notice("not_offered", p.pk)
        for p in facts.active(Participant.Role.HARMED)
        if not facts.offered(p)
    ]
    notices += _guardians(facts, facts.taking_part())
    for participant in facts.taking_part():
        notice = facts.consent_notice(participant, ConsentPurpose.CONTACT)
        if notice is not None:
            notices.append(notice)
    return notices


def _prepared(facts: CaseFacts) -> list[Notice]:
    """What the restorative process needs, from everyone taking part in it."""
    case = facts.case
    notices = []
    if not facts.taking_part(Participant.Role.HARMED):
        notices.append(Notice("no_harmed"))
    if not facts.taking_part(Participant.Role.RESPONSIBLE):
        notices.append(Notice("no_responsible"))
    process = case.planned_process
    if not process:
        notices.append(Notice("no_process"))
    elif process not in case.program.offered_processes:
        notices.append(Notice("process_not_offered", value=process))
    purposes = purposes_for_process(process) if process else (ConsentPurpose.CONTACT,)
    for participant in facts.taking_part():
        for purpose in purposes:
            notice = facts.consent_notice(participant, purpose)
            if notice is not None:
                notices.append(notice)
    for participant in facts.taking_part():
        assessment = facts.assessment(participant)
        if assessment is None:
            notices.append(Notice("no_assessment", participant.pk))
        elif not assessment.is_positive:
            notices.append(Notice("not_suitable", participant.pk))
    return notices


def _orders_permit(facts: CaseFacts) -> list[Notice]:
    """In a joint process, nobody under an active order meets the others without a
    coordinator's record that the order permits it."""
    if facts.case.planned_process not in DIRECT_PROCESSES:
        return []
    notices = [facts.order_notice(p) for p in facts.taking_part()]
    return [n for n in notices if n is not None]


# The conditions of each stage, in the order a case meets them.
_STEPS = {
    Stage.CONTACT: (_screening_done,),
    Stage.PREPARATION: (_screening_done, _contact_made),
    Stage.PROCESS: (_screening_done, _contact_made, _prepared),
    # Not a condition of the process itself, so an order never steps a case back: it
    # stops the joint meetings (processes' gates) and what follows them.
    Stage.AGREEMENT: (_screening_done, _contact_made, _prepared, _orders_permit),
}


def _unique(notices: Iterable[Notice]) -> list[Notice]:
    return list(dict.fromkeys(notices))


def what_blocks(facts: CaseFacts, to: str) -> list[Notice]:
    """Why the case cannot move to `to` yet (empty: it can)."""
    notices = [n for step in _STEPS.get(Stage(to), ()) for n in step(facts)]
    notices += registry.stage_conditions(facts, to)
    return _unique(notices)


def what_no_longer_holds(facts: CaseFacts, stage: str | None = None) -> list[Notice]:
    """What has stopped holding in a stage where people are in contact ([] elsewhere)."""
    stage = stage or facts.case.stage
    if stage == Stage.PREPARATION:
        parties = [p for p in facts.taking_part() if p.is_party]
        notices = _guardians(facts, parties)
        for party in parties:
            notice = facts.consent_notice(party, ConsentPurpose.CONTACT)
            if notice is not None:
                notices.append(notice)
        return _unique(notices)
    if stage == Stage.PROCESS:
        return what_blocks(facts, Stage.PROCESS)
    if stage == Stage.AGREEMENT:
        # The agreement stands; what matters now is that nobody is brought back into
        # contact against a refusal or a safety concern.
        notices = []
        purposes = purposes_for_process(facts.case.planned_process or "")
        for participant in facts.taking_part():
            for purpose in purposes:
                refusal = facts.refused(participant, purpose)
                if refusal is not None:
                    notices.append(refusal)
            latest = latest_assessment(facts.assessments.get(participant.pk, []))
            if latest is not None and not latest.is_positive:
                notices.append(Notice("not_suitable", participant.pk))
        return _unique(notices)
    return []


def step_back_to(facts: CaseFacts) -> str | None:
    """Where a case whose conditions no longer hold goes (None: it stays and warns)."""
    stage = facts.case.stage
    if stage == Stage.PROCESS:
        if what_no_longer_holds(facts, Stage.PREPARATION):
            return Stage.CONTACT
        return Stage.PREPARATION
    if stage == Stage.PREPARATION:
        return Stage.CONTACT
    return None


def may_contact(facts: CaseFacts, participant: Participant) -> Notice | None:
    """Whether the program may contact this person (None: it may).

    Before anyone has asked, contact is how consent is sought; once the person (or a
    minor's guardian) declined or withdrew consent to be contacted, contact stops.
    """
    if not participant.is_active:
        return Notice("withdrawn", participant.pk)
    return facts.refused(participant, ConsentPurpose.CONTACT)

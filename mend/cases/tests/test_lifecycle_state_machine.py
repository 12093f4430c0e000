"""The case lifecycle as a Hypothesis state machine, driven only through the real services.

Each example opens one case in a fresh savepoint (rolled back in teardown) and takes random
steps: screening, acceptance, offers, consent, assessments, process choice, moves, pauses,
withdrawals, closing, new people, the passing of time, forms sent on an old version of the
case, and two people acting on the same version at once. After every step the invariants
below must hold; every refused step must have changed nothing.

CI=true fixes the examples (derandomize). For a longer hunt: MEND_LIFECYCLE_EXAMPLES=400
MEND_LIFECYCLE_STEPS=60. Assessment expiry is judged on the day of the last service call,
the daily safety check included.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mend.cases import services
from mend.cases.models import (
    Case,
    ConsentEntry,
    Participant,
    Referral,
    SafetyAssessment,
    StageChange,
)
from mend.cases.queries import case_facts
from mend.cases.rules import NOT_ASKED, has_consent, what_blocks, what_no_longer_holds
from mend.cases.services.people import CONSENT_CHANGES
from mend.cases.stages import (
    ALLOWED,
    COMPLETION_OUTCOMES,
    COMPLETION_STAGES,
    ENDED,
    MAIN_PATH,
    NEXT,
    PAUSABLE,
    Outcome,
    Stage,
)
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose, OffenceCategory, ProcessType
from mend.programs.practice import DIRECT_PROCESSES, purposes_for_process
from mend.testing.cases import make_specialist, parties, submit, to_stage
from mend.testing.meetings import meet_jointly
from mend.testing.personas import World, build_world

# Every example starts on the same (fixed) day, so runs do not depend on the calendar.
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADULT_BORN = date(1980, 5, 1)
CHILD_BORN = date(2011, 6, 15)  # 14 at BASE
# Turns 18 forty days after BASE: consent rules change under a case's feet.
NEARLY_ADULT_BORN = date(2008, 4, 11)

REFUSED = (services.CaseRuleError, ValidationError)
PURPOSES = [
    ConsentPurpose.CONTACT,
    ConsentPurpose.FACE_TO_FACE,
    ConsentPurpose.INDIRECT,
    ConsentPurpose.SHARE_INFORMATION,
]
PROCESSES = [
    ProcessType.CONFERENCE,
    ProcessType.MEDIATION,
    ProcessType.LETTER_EXCHANGE,
    ProcessType.SHUTTLE,
]
BACK = {Stage.PREPARATION: Stage.CONTACT, Stage.PROCESS: Stage.PREPARATION}
BACK |= {Stage.AGREEMENT: Stage.PROCESS}

SETTINGS = settings(
    max_examples=int(os.environ.get("MEND_LIFECYCLE_EXAMPLES", "50")),
    stateful_step_count=int(os.environ.get("MEND_LIFECYCLE_STEPS", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else settings.default.database,
)

SOMEONE = st.integers(min_value=0, max_value=7)
# The writes a form can make, for the stale-form and two-at-once steps.
FORM_WRITES = st.sampled_from(
    ["note", "withdraw_consent", "not_suitable", "forward", "process", "withdraw", "add"]
)


def is_minor_on(born: date | None, day: date) -> bool:
    if born is None:
        return False
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day)) < 18


def replayed_consent(
    participant: Participant,
    purpose: str,
    entries: list[ConsentEntry],
    today: date,
    own_guardians: set[int],
) -> bool:
    """Written apart from rules.py: the latest own entry, and for a minor the latest entry of
    one of their own guardians still in the case, must both say given."""
    latest: dict[bool, tuple[datetime, int, str]] = {}
    for entry in entries:
        if entry.purpose != purpose:
            continue
        if entry.guardian_id is not None and entry.guardian_id not in own_guardians:
            continue
        key = entry.guardian_id is not None
        stamp = (entry.recorded_at, entry.pk, entry.decision)
        if key not in latest or stamp[:2] > latest[key][:2]:
            latest[key] = stamp
    given = ConsentEntry.Decision.GIVEN
    own = False in latest and latest[False][2] == given
    if is_minor_on(participant.person.date_of_birth, today):
        return own and True in latest and latest[True][2] == given
    return own


def _state(entries: list[ConsentEntry], purpose: str, guardian: bool) -> str:
    mine = [e for e in entries if e.purpose == purpose and (e.guardian_id is not None) == guardian]
    latest = max(mine, key=lambda e: (e.recorded_at, e.pk), default=None)
    return latest.decision if latest else NOT_ASKED


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, world: World, reached: set[str]) -> None:
        super().__init__()
        self.world = world
        self.reached = reached  # stages reached over the whole run, to check coverage
        self.by = world["facilitator"]
        self.offset = 0  # days after BASE
        self.service_day = 0  # offset at the last service call that changed something
        self.ledger: dict[int, tuple[Any, ...]] = {}
        self.case_pk: int | None = None
        self.stage = ""
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- Helpers -----------------------------------------------------------------------

    def now(self, offset: int | None = None) -> datetime:
        return BASE + timedelta(days=self.offset if offset is None else offset)

    @contextmanager
    def clock(self, offset: int | None = None) -> Iterator[None]:
        with time_machine.travel(self.now(offset), tick=False):
            yield

    def case(self) -> Case:
        return Case.objects.select_related("program", "offence_category").get(pk=self.case_pk)

    def people(self) -> list[Participant]:
        return parties(self.case())

    def snapshot(self) -> tuple[Any, ...]:
        case = self.case()
        return (
            case.stage,
            case.version,
            case.paused_from,
            ConsentEntry.objects.filter(participant__case_id=case.pk).count(),
            StageChange.objects.filter(case_id=case.pk).count(),
            case.participants.filter(status=Participant.Status.ACTIVE).count(),
            case.participants.count(),
            SafetyAssessment.objects.filter(participant__case_id=case.pk).count(),
            case.notes.count(),
            case.planned_process,
            AuditEvent.objects.filter(subject_id=str(case.pk), subject_type="cases.case").count(),
        )

    def attempt(self, action: Callable[[], object]) -> bool:
        """Call one service. A refusal must leave the case exactly as it was."""
        before = self.snapshot()
        try:
            action()
        except REFUSED:
            assert self.snapshot() == before, "a refused action changed the case"
            return False
        after = self.snapshot()
        self.service_day = self.offset
        self.stage = after[0]
        self.reached.add(self.stage)
        return True

    def pick(self, index: int) -> Participant:
        everyone = self.people()
        return everyone[index % len(everyone)]

    # --- Setup -------------------------------------------------------------------------

    @initialize(
        category=st.sampled_from(["theft", "theft", "domestic_abuse", "sexual_offence"]),
        harmed=st.integers(min_value=1, max_value=2),
        responsible=st.integers(min_value=0, max_value=1) | st.just(1),
        born=st.sampled_from([ADULT_BORN, ADULT_BORN, CHILD_BORN, NEARLY_ADULT_BORN]),
        head_start=st.sampled_from([0, 1, 2, 3, 4, 4, 4, 5]),
    )
    def open_case(
        self, category: str, harmed: int, responsible: int, born: date, head_start: int
    ) -> None:
        """A new case, taken some steps along the main path the way a facilitator would."""
        with self.clock():
            case = submit(
                self.world,
                category=category,
                harmed=harmed,
                responsible=responsible,
                harmed_born=born,
            )
            self.case_pk = case.pk
            self.stage = case.stage
            services.assign_team(
                case=case,
                lead=self.world["facilitator"],
                co_facilitators=[],
                volunteers=[],
                by=self.world["coordinator"],
                expected_version=None,
            )
        for _ in range(head_start):
            self.diligent_step()

    # --- Screening ---------------------------------------------------------------------

    @rule(
        passed=st.booleans(),
        override=st.booleans(),
        complete=st.booleans() | st.just(True),
        reason=st.sampled_from(["Checked with the referrer.", "Checked.", "  "]),
    )
    def decide_eligibility(self, passed: bool, override: bool, complete: bool, reason: str) -> None:
        with self.clock():
            case = self.case()
            codes = list(
                case.program.eligibility_criteria.filter(is_active=True).values_list(
                    "code", flat=True
                )
            )
            answers = {code: passed for code in (codes if complete else codes[1:])}
            expected = (
                case.stage in (Stage.REFERRAL, Stage.SCREENING)
                and complete
                and bool(reason.strip())
            )
            done = self.attempt(
                lambda: services.decide_eligibility(
                    case=case,
                    answers=answers,
                    reason=reason,
                    override_justification="Specialist facilitator assigned." if override else "",
                    by=self.world["coordinator"],
                    expected_version=case.version,
                )
            )
            assert done == expected
            if done:
                want = Case.Eligibility.PASSED if passed else Case.Eligibility.FAILED
                assert self.case().eligibility == want

    @rule()
    def accept(self) -> None:
        self.move_to(Stage.CONTACT)

    @rule(reason=st.sampled_from([*Referral.DeclineReason.values, "because"]))
    def decline(self, reason: str) -> None:
        with self.clock():
            case = self.case()
            expected = (
                case.stage in (Stage.REFERRAL, Stage.SCREENING)
                and reason in Referral.DeclineReason.values
            )
            done = self.attempt(
                lambda: services.decline_referral(
                    case=case,
                    reason=reason,
                    note="Declined.",
                    by=self.world["coordinator"],
                    expected_version=case.version,
                )
            )
            assert done == expected
            if done:
                assert self.case().stage == Stage.CLOSED
                referral = Referral.objects.get(pk=case.referral_id)
                assert referral.status == Referral.Status.DECLINED

    # --- Offers, consent and safety ------------------------------------------------------

    @rule(index=SOMEONE)
    def record_offer(self, index: int) -> None:
        with self.clock():
            case = self.case()
            participant = self.pick(index)
            facts = case_facts(case)
            expected = (
                participant.role == Participant.Role.HARMED
                and participant.is_active
                and facts.refused(participant, ConsentPurpose.CONTACT) is None
            )
            done = self.attempt(
                lambda: services.record_rj_offer(
                    participant=participant,
                    offered_on=self.now().date(),
                    channel="phone",
                    response="interested",
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == expected

    @rule(
        index=SOMEONE,
        purpose=st.sampled_from([*PURPOSES, "gossip"]),
        decision=st.sampled_from(ConsentEntry.Decision.values),
        guardian=st.none() | SOMEONE,
        with_offer=st.booleans(),
    )
    def record_consent(
        self, index: int, purpose: str, decision: str, guardian: int | None, with_offer: bool
    ) -> None:
        with self.clock():
            case = self.case()
            participant = self.pick(index)
            by_guardian = None if guardian is None else self.pick(guardian)
            entries = list(participant.consent_entries.all())
            own_guardian = by_guardian is not None and (
                by_guardian.role == Participant.Role.GUARDIAN
                and by_guardian.is_active
                and by_guardian.supports_id == participant.pk
            )
            own_guardians = {
                p.pk
                for p in self.people()
                if p.role == Participant.Role.GUARDIAN
                and p.is_active
                and p.supports_id == participant.pk
            }
            state = (
                _state(
                    [e for e in entries if e.guardian_id in own_guardians],
                    purpose,
                    guardian=True,
                )
                if by_guardian is not None
                else _state(entries, purpose, guardian=False)
            )
            needs_offer = (
                purpose == ConsentPurpose.CONTACT
                and decision == ConsentEntry.Decision.GIVEN
                and participant.role == Participant.Role.HARMED
                and not participant.offers.exists()
            )
            expected = (
                purpose in case.program.consent_purposes
                and (by_guardian is None or own_guardian)
                and decision in CONSENT_CHANGES[state]
                and (decision != ConsentEntry.Decision.GIVEN or participant.is_active)
                and (with_offer or not needs_offer)
            )
            done = self.attempt(
                lambda: services.record_consent(
                    participant=participant,
                    purpose=purpose,
                    decision=decision,
                    method=ConsentEntry.Method.VERBAL,
                    decided_on=self.now().date(),
                    guardian=by_guardian,
                    offer=services.OfferDetails(self.now().date(), "phone") if with_offer else None,
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == expected

    @rule(
        index=SOMEONE,
        result=st.sampled_from(SafetyAssessment.Result.values),
        days_ago=st.integers(min_value=-1, max_value=100),
        with_conditions=st.booleans() | st.just(True),
    )
    def record_assessment(
        self, index: int, result: str, days_ago: int, with_conditions: bool
    ) -> None:
        with self.clock():
            case = self.case()
            participant = self.pick(index)
            conditions = "Support worker present." if with_conditions else ""
            expected = (
                participant.is_active
                and days_ago >= 0
                and (result != SafetyAssessment.Result.WITH_CONDITIONS or bool(conditions))
            )
            done = self.attempt(
                lambda: services.record_assessment(
                    participant=participant,
                    assessed_on=self.now().date() - timedelta(days=days_ago),
                    result=result,
                    answers={"risk_of_harm": "Low."},
                    conditions=conditions,
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == expected

    @rule(process=st.sampled_from([*PROCESSES, "duel"]))
    def choose_process(self, process: str) -> None:
        with self.clock():
            case = self.case()
            expected = process in case.program.process_types and case.stage not in ENDED
            done = self.attempt(
                lambda: services.choose_process(
                    case=case, process=process, by=self.by, expected_version=case.version
                )
            )
            assert done == expected

    # --- Moving ------------------------------------------------------------------------

    def move_to(self, to: str) -> bool:
        with self.clock():
            case = self.case()
            path = [str(s) for s in MAIN_PATH]
            forward = case.stage in path and to in path and path.index(to) > path.index(case.stage)
            checked = forward or to == Stage.PROCESS
            expected = to in ALLOWED[case.stage] and not (
                checked and what_blocks(case_facts(case), to)
            )
            old = case.stage
            done = self.attempt(
                lambda: services.move_case(
                    case=case, to=to, by=self.by, expected_version=case.version
                )
            )
            assert done == expected
            if done:
                # The move itself, then perhaps straight back when conditions do not hold.
                assert case.stage_changes.filter(from_stage=old, to_stage=to).exists()
            return done

    @rule()
    def move_forward(self) -> None:
        stage = self.case().stage
        self.move_to(NEXT.get(stage, Stage.AGREEMENT))

    @rule(anywhere=st.sampled_from(Stage.values))
    def move_back(self, anywhere: str) -> None:
        stage = self.case().stage
        self.move_to(BACK.get(stage, anywhere))

    def give_consent(
        self, participant: Participant, purposes: list[str], guardian: Participant | None = None
    ) -> None:
        case = self.case()
        facts = case_facts(case)
        state = facts.guardian_state if guardian else facts.consent_state
        todo = [p for p in purposes if state(participant, p) != ConsentEntry.Decision.GIVEN]
        if not todo:
            return
        self.attempt(
            lambda: services.record_consents(
                participant=participant,
                decisions=dict.fromkeys(todo, ConsentEntry.Decision.GIVEN),
                method=ConsentEntry.Method.WRITTEN,
                decided_on=self.now().date(),
                guardian=guardian,
                offer=services.OfferDetails(self.now().date(), "phone"),
                by=self.by,
                expected_version=case.version,
            )
        )

    @rule()
    def diligent_step(self) -> None:
        """What a facilitator does to take the case one step on, then the move itself."""
        with self.clock():
            case = self.case()
            stage = case.stage
            if stage == Stage.PAUSED:
                # The harmed party who asked for the pause asks to go on.
                asking = Participant.objects.get(pk=case.paused_by_id)
                self.attempt(
                    lambda: services.resume_case(
                        case=case, requested_by=asking, by=self.by, expected_version=case.version
                    )
                )
                return
            if stage == Stage.SCREENING:
                codes = case.program.eligibility_criteria.values_list("code", flat=True)
                handling = case.offence_category.handling
                override = "" if handling == OffenceCategory.Handling.ELIGIBLE else "Specialist."
                self.attempt(
                    lambda: services.decide_eligibility(
                        case=case,
                        answers=dict.fromkeys(codes, True),
                        reason="Checked with the referrer.",
                        override_justification=override,
                        by=self.world["coordinator"],
                        expected_version=case.version,
                    )
                )
            if stage == Stage.CONTACT:
                guarded = {p.supports_id for p in self.people() if p.is_active}
                for minor in self.people():
                    if minor.is_active and minor.person.is_minor and minor.pk not in guarded:
                        self.attempt(
                            lambda m=minor: services.add_participant(
                                case=self.case(),
                                party=services.PartyDetails(given_name="G", family_name="Guard"),
                                role=Participant.Role.GUARDIAN,
                                supports=m,
                                by=self.by,
                                expected_version=self.case().version,
                            )
                        )
            if stage == Stage.PREPARATION and not case.planned_process:
                self.attempt(
                    lambda: services.choose_process(
                        case=case,
                        process=ProcessType.CONFERENCE,
                        by=self.by,
                        expected_version=case.version,
                    )
                )
            case = self.case()
            purposes = {
                Stage.CONTACT: [ConsentPurpose.CONTACT],
                Stage.PREPARATION: list(purposes_for_process(case.planned_process)),
            }.get(stage, [])
            everyone = [p for p in self.people() if p.is_active and p.takes_part]
            for participant in everyone if purposes else []:
                self.give_consent(participant, purposes)
                if participant.person.is_minor:
                    for guardian in case_facts(self.case()).guardians_of(participant):
                        self.give_consent(participant, purposes, guardian=guardian)
            if stage == Stage.PREPARATION:
                for participant in everyone:
                    self.attempt(
                        lambda p=participant: services.record_assessment(
                            participant=p,
                            assessed_on=self.now().date(),
                            result=SafetyAssessment.Result.SUITABLE,
                            answers={"risk_of_harm": "Low."},
                            by=self.by,
                            expected_version=self.case().version,
                        )
                    )
            if stage == Stage.PROCESS and case.planned_process in DIRECT_PROCESSES:
                # The parties meet: what Agreement and follow-up needs (through processes'
                # stage condition). A meeting the gates refuse leaves the case as it was.
                self.attempt(lambda: meet_jointly(self.world, self.case(), case.planned_process))
        if stage in NEXT:
            self.move_to(NEXT[stage])

    # The same again, so that examples often get as far as the process (and then stay a
    # while: once there, only the rule above moves on).
    @precondition(lambda self: self.stage not in (Stage.PROCESS, Stage.AGREEMENT))
    @rule()
    def another_diligent_step(self) -> None:
        self.diligent_step()

    # --- Forms sent late, and two people at once -----------------------------------------

    def form_write(self, kind: str, index: int, version: int) -> Callable[[], object]:
        """One write as a form opened on `version` would send it."""
        case = self.case()
        someone = self.pick(index)
        writes: dict[str, Callable[[], object]] = {
            "note": lambda: services.add_note(
                case=case, body="A note.", by=self.by, expected_version=version
            ),
            "withdraw_consent": lambda: services.record_consent(
                participant=someone,
                purpose=ConsentPurpose.FACE_TO_FACE,
                decision=ConsentEntry.Decision.WITHDRAWN,
                method=ConsentEntry.Method.VERBAL,
                decided_on=self.now().date(),
                by=self.by,
                expected_version=version,
            ),
            "not_suitable": lambda: services.record_assessment(
                participant=someone,
                assessed_on=self.now().date(),
                result=SafetyAssessment.Result.NOT_SUITABLE,
                answers={},
                by=self.by,
                expected_version=version,
            ),
            "forward": lambda: services.move_case(
                case=case,
                to=NEXT.get(case.stage, Stage.AGREEMENT),
                by=self.by,
                expected_version=version,
            ),
            "process": lambda: services.choose_process(
                case=case, process=ProcessType.SHUTTLE, by=self.by, expected_version=version
            ),
            "withdraw": lambda: services.withdraw_participant(
                participant=someone,
                method="verbal",
                reason="",
                by=self.by,
                expected_version=version,
            ),
            "add": lambda: services.add_participant(
                case=case,
                party=services.PartyDetails(given_name="Sam", family_name="Support"),
                role=Participant.Role.COMMUNITY,
                by=self.by,
                expected_version=version,
            ),
        }
        return writes[kind]

    @precondition(lambda self: self.case_pk is not None)
    @rule(kind=FORM_WRITES, index=SOMEONE, behind=st.integers(min_value=1, max_value=3))
    def send_a_stale_form(self, kind: str, index: int, behind: int) -> None:
        """A form opened before someone else's change is refused and changes nothing."""
        with self.clock():
            version = self.case().version - behind
            if version < 1:
                return
            before = self.snapshot()
            with pytest.raises(services.StaleCase):
                self.form_write(kind, index, version)()
            assert self.snapshot() == before

    @precondition(lambda self: self.case_pk is not None)
    @rule(first=FORM_WRITES, second=FORM_WRITES, a=SOMEONE, b=SOMEONE)
    def two_people_send_forms_opened_together(
        self, first: str, second: str, a: int, b: int
    ) -> None:
        """Both forms were opened on the same version: once the first changes the case,
        the second is refused however plausible it looks."""
        with self.clock():
            version = self.case().version
            second_write = self.form_write(second, b, version)
            if not self.attempt(self.form_write(first, a, version)):
                return
            before = self.snapshot()
            with pytest.raises(services.StaleCase):
                second_write()
            assert self.snapshot() == before

    # --- Pause, withdraw, close --------------------------------------------------------

    @rule(index=SOMEONE)
    def pause(self, index: int) -> None:
        with self.clock():
            case = self.case()
            asking = self.pick(index)
            expected = (
                asking.role == Participant.Role.HARMED
                and asking.is_active
                and case.stage in PAUSABLE
            )
            done = self.attempt(
                lambda: services.pause_case(
                    case=case,
                    requested_by=asking,
                    reason="Needs time.",
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == expected
            if done:
                paused = self.case()
                assert (paused.stage, paused.paused_by_id) == (Stage.PAUSED, asking.pk)

    @rule(index=SOMEONE)
    def resume(self, index: int) -> None:
        with self.clock():
            case = self.case()
            asking = self.pick(index)
            expected = case.stage == Stage.PAUSED and asking.pk == case.paused_by_id
            paused_from = case.paused_from
            done = self.attempt(
                lambda: services.resume_case(
                    case=case, requested_by=asking, by=self.by, expected_version=case.version
                )
            )
            assert done == expected
            if done:
                resumed = self.case()
                assert resumed.stage in (paused_from, Stage.PREPARATION, Stage.CONTACT)
                assert (resumed.paused_from, resumed.paused_by_id) == ("", None)

    @rule(index=SOMEONE, method=st.sampled_from(["verbal", "written"]))
    def withdraw(self, index: int, method: str) -> None:
        with self.clock():
            case = self.case()
            participant = self.pick(index)
            was_open = case.stage not in ENDED
            expected = participant.is_active
            done = self.attempt(
                lambda: services.withdraw_participant(
                    participant=participant,
                    method=method,
                    reason="Had enough.",
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == expected
            if done and was_open and participant.is_party:
                case = self.case()
                side_left = case.participants.filter(
                    role=participant.role, status=Participant.Status.ACTIVE
                ).exists()
                assert (case.stage == Stage.WITHDRAWN) == (not side_left)

    # Cases at referral or screening end through decline; keeping close away from them
    # lets more examples reach the later stages.
    @precondition(lambda self: self.stage not in (Stage.REFERRAL, Stage.SCREENING))
    @rule(outcome=st.sampled_from([*Outcome.values, ""]))
    def close(self, outcome: str) -> None:
        with self.clock():
            case = self.case()
            expected = (
                case.stage not in ENDED
                and outcome in Outcome.values
                and (
                    outcome not in COMPLETION_OUTCOMES
                    # Never completed while paused at the harmed party's request.
                    or case.stage in COMPLETION_STAGES
                )
                # With agreement needs an agreement every party agreed to, which this
                # machine never makes (mend/agreements/tests/test_closing.py covers it).
                and outcome != Outcome.COMPLETED_WITH_AGREEMENT
            )
            done = self.attempt(
                lambda: services.close_case(
                    case=case, outcome=outcome, by=self.by, expected_version=case.version
                )
            )
            assert done == expected
            if done:
                assert (self.case().stage, self.case().outcome) == (Stage.CLOSED, outcome)

    # --- New people and time -----------------------------------------------------------

    @rule(index=SOMEONE, takes_part=st.booleans())
    def add_guardian(self, index: int, takes_part: bool) -> None:
        with self.clock():
            case = self.case()
            everyone = [p for p in self.people() if p.is_active]
            minors = [p for p in everyone if p.person.is_minor]
            if not everyone:
                return
            supported = (minors or everyone)[index % len(minors or everyone)]
            done = self.attempt(
                lambda: services.add_participant(
                    case=case,
                    party=services.PartyDetails(given_name="Gale", family_name="Guardian"),
                    role=Participant.Role.GUARDIAN,
                    supports=supported,
                    takes_part=takes_part,
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == (case.stage not in ENDED)

    @rule(takes_part=st.booleans())
    def add_harmed_party(self, takes_part: bool) -> None:
        with self.clock():
            case = self.case()
            done = self.attempt(
                lambda: services.add_participant(
                    case=case,
                    party=services.PartyDetails(
                        given_name="Hollis", family_name="Harmed", date_of_birth=ADULT_BORN
                    ),
                    role=Participant.Role.HARMED,
                    takes_part=takes_part,
                    by=self.by,
                    expected_version=case.version,
                )
            )
            assert done == (case.stage not in ENDED)

    @rule(days=st.integers(min_value=0, max_value=120) | st.sampled_from([30, 91, 120]))
    def advance_clock(self, days: int) -> None:
        self.offset += days
        if self.case_pk is not None and days:
            # The daily safety check (manage.py check_case_safety) runs as days pass.
            with self.clock():
                self.attempt(lambda: services.step_back_if_unsafe(case=self.case()))

    # --- Invariants --------------------------------------------------------------------

    @invariant()
    def where_people_are_in_contact_the_conditions_hold_or_the_team_is_warned(self) -> None:
        """Judged on the day of the last service call that changed something: while nobody
        touches the case the product cannot see the calendar move."""
        if self.case_pk is None:
            return
        with self.clock(self.service_day):
            case = self.case()
            facts = case_facts(case)
            if case.stage == Stage.PROCESS:
                assert what_blocks(facts, Stage.PROCESS) == []
            if case.stage == Stage.PREPARATION:
                assert what_no_longer_holds(facts) == []
            if case.stage == Stage.AGREEMENT and what_no_longer_holds(facts):
                assert case.alert.get("kind") == "conditions"

    @invariant()
    def ended_cases_say_how_and_when(self) -> None:
        if self.case_pk is None:
            return
        case = self.case()
        if case.stage in ENDED:
            assert case.outcome
            assert case.closed_at is not None

    @invariant()
    def a_paused_case_is_never_completed(self) -> None:
        if self.case_pk is None:
            return
        case = self.case()
        last = case.stage_changes.order_by("-id").first()
        if case.outcome in COMPLETION_OUTCOMES and last is not None:
            assert last.from_stage != Stage.PAUSED

    @invariant()
    def consent_is_the_replay_of_an_append_only_ledger(self) -> None:
        if self.case_pk is None:
            return
        with self.clock():
            today = self.now().date()
            entries = list(ConsentEntry.objects.filter(participant__case_id=self.case_pk))
            ledger = {
                e.pk: (e.participant_id, e.purpose, e.decision, e.guardian_id, e.recorded_at)
                for e in entries
            }
            assert all(ledger.get(pk) == row for pk, row in self.ledger.items()), (
                "a ledger entry changed or disappeared"
            )
            self.ledger = ledger
            facts = case_facts(self.case())
            for participant in self.people():
                own = [e for e in entries if e.participant_id == participant.pk]
                guardians = {g.pk for g in facts.guardians_of(participant)}
                for purpose in ConsentPurpose.values:
                    replayed = replayed_consent(participant, purpose, own, today, guardians)
                    assert facts.consent(participant, purpose) == replayed
                    if not guardians:
                        assert has_consent(participant, purpose, own) == replayed or any(
                            e.guardian_id for e in own
                        )
                    if not participant.is_active:
                        assert not replayed, f"{participant} withdrew but consents to {purpose}"

    @invariant()
    def every_stage_change_is_on_the_timeline_and_audited(self) -> None:
        if self.case_pk is None:
            return
        case = self.case()
        assert case.stage in Stage.values
        changes = list(StageChange.objects.filter(case_id=case.pk).order_by("id"))
        assert (changes[0].from_stage, changes[0].to_stage) == ("", Stage.REFERRAL)
        for earlier, later in pairwise(changes):
            assert later.from_stage == earlier.to_stage
        assert changes[-1].to_stage == case.stage
        moves = AuditEvent.objects.filter(
            subject_type="cases.case",
            subject_id=str(case.pk),
            action__in=["case.moved", "case.moved_automatically"],
        ).count()
        assert moves == len(changes) - 1


@pytest.mark.django_db
def test_the_lifecycle_keeps_its_invariants() -> None:
    with time_machine.travel(BASE, tick=False):
        world = build_world()
        make_specialist(world)
    reached: set[str] = set()
    run_state_machine_as_test(lambda: LifecycleMachine(world, reached), settings=SETTINGS)
    if SETTINGS.derandomize:
        # The fixed CI run must keep exercising the later stages, not just screening.
        assert {Stage.PROCESS, Stage.AGREEMENT, Stage.PAUSED} <= reached, reached


# Shortest failing examples the machine found, kept as plain tests so they are checked on
# every run whatever the machine happens to generate.


@pytest.mark.parametrize(
    ("role", "takes_part"),
    [(Participant.Role.HARMED, False), (Participant.Role.GUARDIAN, True)],
)
def test_someone_added_to_a_case_in_the_process_moves_it_back(
    world: World, role: str, takes_part: bool
) -> None:
    """Found by the machine: add_participant did not re-check the process, so a new harmed
    party without consent (or a guardian without an assessment) left it running."""
    case = to_stage(world, submit(world), Stage.PROCESS)
    services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="New", family_name="Person"),
        role=role,
        supports=parties(case, Participant.Role.HARMED)[0] if role == "guardian" else None,
        takes_part=takes_part,
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.stage in (Stage.PREPARATION, Stage.CONTACT)
    assert case.alert["kind"] == "moved_back"


def test_an_assessment_running_out_in_the_process_is_noticed(world: World) -> None:
    """Once the machine's shortest failing example: into the process, 91 days pass, a
    consent is recorded. Any consent entry now re-checks the case."""
    case = to_stage(world, submit(world), Stage.PROCESS)
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        services.record_consent(
            participant=parties(case)[0],
            purpose=ConsentPurpose.EVALUATION,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.VERBAL,
            decided_on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        )
        case.refresh_from_db()
        assert case.stage != Stage.PROCESS or what_blocks(case_facts(case), Stage.PROCESS) == []

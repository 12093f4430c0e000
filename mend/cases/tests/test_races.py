"""Two people acting on the same case at the same moment, on two real database connections.

The first action runs in a transaction held open until the second has started and had
time to reach the case; only then does the first commit. Without the case's row lock, the
second would read the case as it was and both would commit (on PostgreSQL's READ
COMMITTED, write skew: a case in the process with a consent just withdrawn). With it, the
second waits, then sees the first's change and the rules refuse or correct it. SQLite
queues writers at BEGIN IMMEDIATE, so the same tests hold there too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, ConsentEntry, Participant, Referral, SafetyAssessment
from mend.cases.queries import case_facts
from mend.cases.rules import what_blocks
from mend.cases.stages import Stage
from mend.programs.models import ConsentPurpose
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World, build_world
from mend.testing.races import one_after_the_other


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    yield build_world()


def ready_for_the_process(world: World) -> Case:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    from mend.testing.cases import assess_all, consent_all

    services.choose_process(
        case=case, process="conference", by=world["facilitator"], expected_version=None
    )
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    case.refresh_from_db()
    assert what_blocks(case_facts(case), Stage.PROCESS) == []
    return case


def fresh(case: Case) -> Case:
    return Case.objects.select_related("program", "offence_category").get(pk=case.pk)


def withdraw_face_to_face(world: World, case: Case, version: int | None) -> Callable[[], Any]:
    harmed = parties(case, Participant.Role.HARMED)[0]
    return lambda: services.record_consent(
        participant=Participant.objects.get(pk=harmed.pk),
        purpose=ConsentPurpose.FACE_TO_FACE,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["coordinator"],
        expected_version=version,
    )


def not_suitable(world: World, case: Case, version: int | None) -> Callable[[], Any]:
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    return lambda: services.record_assessment(
        participant=Participant.objects.get(pk=responsible.pk),
        assessed_on=timezone.localdate(),
        result=SafetyAssessment.Result.NOT_SUITABLE,
        answers={},
        by=world["coordinator"],
        expected_version=version,
    )


def move_forward(world: World, case: Case, version: int | None) -> Callable[[], Any]:
    return lambda: services.move_case(
        case=fresh(case), to=Stage.PROCESS, by=world["facilitator"], expected_version=version
    )


def the_rules_hold(case: Case) -> None:
    case = fresh(case)
    if case.stage == Stage.PROCESS:
        assert what_blocks(case_facts(case), Stage.PROCESS) == []


@pytest.mark.parametrize("with_versions", [True, False], ids=["forms", "no-forms"])
@pytest.mark.parametrize("change", [withdraw_face_to_face, not_suitable])
def test_a_change_and_a_move_forward_at_once_never_leave_an_unsafe_process(
    world: World, change: Callable[..., Callable[[], Any]], with_versions: bool
) -> None:
    case = ready_for_the_process(world)
    version = case.version if with_versions else None
    changed, moved = one_after_the_other(
        change(world, case, version), move_forward(world, case, version)
    )
    assert not isinstance(changed, Exception), changed
    assert isinstance(moved, services.CaseRuleError), moved
    assert fresh(case).stage == Stage.PREPARATION
    the_rules_hold(case)


@pytest.mark.parametrize("change", [withdraw_face_to_face, not_suitable])
def test_a_move_forward_and_a_change_at_once_end_with_the_case_moved_back(
    world: World, change: Callable[..., Callable[[], Any]]
) -> None:
    case = ready_for_the_process(world)
    moved, changed = one_after_the_other(move_forward(world, case, None), change(world, case, None))
    assert not isinstance(moved, Exception), moved
    assert not isinstance(changed, Exception), changed
    # The change saw the case in the process and took it back out at once.
    assert fresh(case).stage == Stage.PREPARATION
    the_rules_hold(case)


def test_the_same_withdrawal_recorded_twice_at_once_is_recorded_once(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.CONTACT)
    leaving = parties(case, Participant.Role.HARMED)[1]

    def withdraw() -> Any:
        return services.withdraw_participant(
            participant=Participant.objects.get(pk=leaving.pk),
            method="verbal",
            reason="",
            by=world["facilitator"],
            expected_version=None,
        )

    first, second = one_after_the_other(withdraw, withdraw)
    assert not isinstance(first, Exception), first
    assert isinstance(second, services.InvalidMove), second
    assert fresh(case).stage_changes.count() == case.stage_changes.count()
    withdrawn = Participant.objects.get(pk=leaving.pk)
    assert withdrawn.status == Participant.Status.WITHDRAWN
    assert withdrawn.consent_entries.filter(on_withdrawal=True).count() == len(
        {e.purpose for e in withdrawn.consent_entries.filter(decision="given")}
    )


def test_one_referral_when_the_same_form_arrives_several_times_at_once(world: World) -> None:
    from mend.cases.tests.test_pages import referral_post

    form = referral_post(world)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        client = Client()
        client.force_login(world["referrer"])
        try:
            barrier.wait(10)
            statuses.append(client.post(reverse("cases:new_referral"), form).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302, 302, 302]
    assert Referral.objects.count() == 1

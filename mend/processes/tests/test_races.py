"""Letters and meetings changed by two people at the same moment, on two real database
connections: the case's row lock makes one wait for the other, and the second then sees
what the first did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, ConsentEntry, Participant
from mend.cases.services import Blocked
from mend.processes import letter_services
from mend.processes.models import Letter, LetterVersion, Meeting
from mend.programs.models import ConsentPurpose
from mend.testing.cases import parties, submit, to_stage
from mend.testing.letters import approve, letters_case, write
from mend.testing.meetings import plan
from mend.testing.personas import World, build_world
from mend.testing.races import one_after_the_other


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    yield build_world()


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("program", "offence_category").get(pk=case.pk)


def _review(world: World, case: Case, letter: Letter, persona: str, decision: str) -> Any:
    return lambda: letter_services.review_version(
        case=_fresh(case),
        letter=Letter.objects.get(pk=letter.pk),
        decision=decision,
        comments="" if decision == "approved" else "Please leave out the address.",
        by=world[persona],
        expected_version=None,
    )


def _withdraw(world: World, participant: Participant, purpose: str) -> Any:
    return lambda: cases.record_consent(
        participant=Participant.objects.get(pk=participant.pk),
        purpose=purpose,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["coordinator"],
        expected_version=None,
    )


def test_two_reviews_of_the_same_version_at_once_record_one_decision(world: World) -> None:
    case = letters_case(world)
    letter = write(world, case)

    first, second = one_after_the_other(
        _review(world, case, letter, "facilitator", "approved"),
        _review(world, case, letter, "coordinator", "returned"),
    )

    assert isinstance(first, LetterVersion)
    assert isinstance(second, Blocked)
    assert second.messages == ["This letter has no version awaiting review."]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.APPROVED
    assert list(letter.versions.values_list("decision", flat=True)) == ["approved"]


def test_a_delivery_and_a_consent_withdrawal_at_once_never_deliver_without_consent(
    world: World,
) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    recipient = parties(case, "harmed")[0]

    withdrawn, delivered = one_after_the_other(
        _withdraw(world, recipient, ConsentPurpose.INDIRECT),
        lambda: letter_services.record_delivery(
            case=_fresh(case),
            letter=Letter.objects.get(pk=letter.pk),
            outcome="delivered",
            method="post",
            on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        ),
    )

    assert not isinstance(withdrawn, Exception)
    assert isinstance(delivered, Blocked)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.APPROVED
    assert letter.delivered_on is None


def test_a_meeting_planned_while_consent_is_withdrawn_never_stays_planned(
    world: World,
) -> None:
    case = to_stage(world, submit(world), "process")
    harmed = parties(case, "harmed")[0]

    # The plan goes first and holds its transaction open; the withdrawal waits on the case,
    # then cancels the meeting it makes impossible.
    planned, withdrawn = one_after_the_other(
        lambda: plan(world, _fresh(case)),
        _withdraw(world, harmed, ConsentPurpose.FACE_TO_FACE),
    )

    assert isinstance(planned, Meeting)
    assert not isinstance(withdrawn, Exception)
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancel_reason == Meeting.CancelReason.CONSENT


def test_a_withdrawal_before_a_meeting_is_planned_refuses_the_plan(world: World) -> None:
    case = to_stage(world, submit(world), "process")
    harmed = parties(case, "harmed")[0]

    withdrawn, planned = one_after_the_other(
        _withdraw(world, harmed, ConsentPurpose.FACE_TO_FACE),
        lambda: plan(world, _fresh(case)),
    )

    assert not isinstance(withdrawn, Exception)
    # Withdrawing consent to meet moves the case back out of the process, so the plan is
    # refused whichever rule answers first; what matters is that no meeting exists.
    assert isinstance(planned, Blocked)
    assert not Meeting.objects.exists()

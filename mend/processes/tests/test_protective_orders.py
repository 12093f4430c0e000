"""A person under an active no-contact or protective order meets nobody in a joint meeting
until a coordinator records, with a reason, that the order permits it; recording an order
cancels the future joint meetings at once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, Participant, ProtectiveOrder
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.processes import services
from mend.processes.models import Meeting
from mend.programs.models import ProcessType
from mend.testing.cases import parties, submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World

SENTENCE = (
    "Rory0 Responsible has an active no-contact order: a joint meeting needs a "
    "coordinator's record that the order permits it."
)


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _responsible(case: Case) -> Participant:
    return parties(case, Participant.Role.RESPONSIBLE)[0]


def _order(world: World, case: Case, **kwargs: object) -> ProtectiveOrder:
    fields: dict[str, object] = {
        "kind": ProtectiveOrder.Kind.NO_CONTACT,
        "starts_on": timezone.localdate() - timedelta(days=30),
        **kwargs,
    }
    return cases.record_order(
        participant=_responsible(case),
        by=world["facilitator"],
        expected_version=None,
        **fields,  # type: ignore[arg-type]
    )


def _permit(world: World, order: ProtectiveOrder) -> None:
    cases.permit_meeting(
        order=order,
        reason="The court varied the order to allow a restorative conference.",
        by=world["coordinator"],
        expected_version=None,
    )


def test_an_active_order_blocks_scheduling_a_joint_meeting_naming_the_person(
    world: World,
) -> None:
    case = _in_process(world)
    _order(world, case)
    with pytest.raises(Blocked) as refused:
        plan(world, case)
    assert SENTENCE in refused.value.messages
    assert not Meeting.objects.exists()


def test_an_active_order_blocks_confirming_and_marking_held_a_joint_meeting(
    world: World,
) -> None:
    case = _in_process(world)
    # Under way already, so the order does not cancel it; it still cannot go on.
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(hours=2))
    _order(world, case)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    for attempt in (services.confirm_meeting, services.mark_held):
        kwargs = {"attended": {}, "duration_minutes": 30} if attempt is services.mark_held else {}
        with pytest.raises(Blocked) as refused:
            attempt(
                case=case, meeting=meeting, by=world["facilitator"], expected_version=None, **kwargs
            )  # type: ignore[operator]
        assert SENTENCE in refused.value.messages


def test_an_order_does_not_block_a_preparation_meeting(world: World) -> None:
    case = _in_process(world)
    _order(world, case)
    meeting = plan(world, case, kind=ProcessType.PREPARATION, invitees=[_responsible(case)])
    assert meeting.status == Meeting.Status.PLANNED


def test_a_coordinators_record_that_the_order_permits_it_lifts_the_block(world: World) -> None:
    case = _in_process(world)
    order = _order(world, case)
    _permit(world, order)
    meeting = plan(world, case)
    services.confirm_meeting(
        case=case, meeting=meeting, by=world["facilitator"], expected_version=None
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED


def test_an_ended_order_does_not_block(world: World) -> None:
    case = _in_process(world)
    order = _order(world, case)
    cases.end_order(
        order=order, ends_on=timezone.localdate(), by=world["facilitator"], expected_version=None
    )
    assert plan(world, case).status == Meeting.Status.PLANNED


def test_an_order_that_has_not_started_yet_does_not_block(world: World) -> None:
    case = _in_process(world)
    _order(world, case, starts_on=timezone.localdate() + timedelta(days=30))
    assert plan(world, case).status == Meeting.Status.PLANNED


def _cancelled_automatically(meeting: Meeting) -> str:
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert AuditEvent.objects.filter(
        action="meeting.cancelled_automatically", object_id=str(meeting.pk)
    ).exists()
    return meeting.cancel_reason


def test_the_daily_check_cancels_the_joint_meetings_an_order_starting_that_day_forbids(
    world: World,
) -> None:
    case = _in_process(world)
    _order(world, case, starts_on=timezone.localdate() + timedelta(days=2))
    case.refresh_from_db()
    meeting = plan(world, case, starts_at=timezone.now() + timedelta(days=5))
    call_command("check_case_safety", stdout=io.StringIO())
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED  # the order has not started yet
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=1)):
        call_command("check_case_safety", stdout=io.StringIO())
    assert _cancelled_automatically(meeting) == Meeting.CancelReason.PROTECTIVE_ORDER


def test_recording_an_order_cancels_the_future_joint_meetings_automatically(
    world: World,
) -> None:
    case = _in_process(world)
    joint = plan(world, case)
    preparation = plan(
        world,
        case,
        kind=ProcessType.PREPARATION,
        invitees=[_responsible(case)],
        starts_at=timezone.now() + timedelta(days=4),
    )
    _order(world, case)
    assert _cancelled_automatically(joint) == Meeting.CancelReason.PROTECTIVE_ORDER
    preparation.refresh_from_db()
    assert preparation.status == Meeting.Status.PLANNED


def test_withdrawing_the_permission_cancels_the_future_joint_meetings_again(
    world: World,
) -> None:
    case = _in_process(world)
    order = _order(world, case)
    _permit(world, order)
    joint = plan(world, case)
    cases.withdraw_meeting_permission(order=order, by=world["coordinator"], expected_version=None)
    assert _cancelled_automatically(joint) == Meeting.CancelReason.PROTECTIVE_ORDER


def test_an_order_on_someone_not_invited_does_not_block_the_meeting(world: World) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.PROCESS)
    other = parties(case, Participant.Role.HARMED)[1]
    cases.record_order(
        participant=other,
        kind=ProtectiveOrder.Kind.PROTECTIVE,
        starts_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    invited = [parties(case, Participant.Role.HARMED)[0], _responsible(case)]
    assert plan(world, case, invitees=invited).status == Meeting.Status.PLANNED

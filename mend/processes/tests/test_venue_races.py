"""Two people book the same room for overlapping times at the same moment, in two cases.

The cases' row locks do not order them (they are different cases): the room's row lock
does. The second waits for the first to commit, then sees its meeting and is refused
with the clash. Runs on SQLite (writers queue at BEGIN IMMEDIATE) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mend.cases.models import Case
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.processes import venue_services
from mend.processes.models import Meeting
from mend.testing.cases import submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World, build_world
from mend.testing.races import one_after_the_other

START = datetime(2028, 6, 5, 8, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    yield build_world()


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("program", "offence_category").get(pk=case.pk)


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_room_at_once_make_one_meeting_and_one_clash(world: World) -> None:
    first_case = to_stage(world, submit(world), Stage.PROCESS)
    second_case = to_stage(world, submit(world), Stage.PROCESS)
    room = venue_services.add_venue(
        program=world.program, name="Garden Room", capacity=10, by=None, expected_version=None
    )

    def book(case: Case, lead: str, start: datetime) -> object:
        return lambda: plan(
            world, _fresh(case), starts_at=start, hours=2, room=room, lead=world[lead]
        )

    first, second = one_after_the_other(
        book(first_case, "facilitator", START),
        book(second_case, "coordinator", START + timedelta(hours=1)),
    )

    assert isinstance(first, Meeting), first
    assert isinstance(second, Blocked), second
    assert second.messages == [
        "Garden Room is already booked from 5 Jun 2028, 08:00 to 5 Jun 2028, 10:00."
    ]
    assert Meeting.objects.count() == 1

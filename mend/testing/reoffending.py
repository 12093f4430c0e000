"""Completed cases and incident files for the re-offending tests, through the services."""

from __future__ import annotations

from datetime import date, datetime

import time_machine

from mend.cases import services
from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome, Stage
from mend.outcomes.models import ReoffendingCheck
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World

HEADER = "given name,family name,date of birth,incident date,incident reference,offence"


def completed_case(
    world: World,
    *,
    closed_at: datetime | None = None,
    outcome: str = Outcome.COMPLETED_WITHOUT_AGREEMENT,
    responsible: int = 1,
) -> Case:
    """A case walked to Agreement and follow-up today and closed, at `closed_at` if given
    (the clock is set back for the closing only: staff memberships begin today)."""
    case = to_stage(world, submit(world, responsible=responsible), Stage.AGREEMENT)
    if closed_at is None:
        _close(world, case, outcome)
    else:
        with time_machine.travel(closed_at, tick=False):
            _close(world, case, outcome)
    case.refresh_from_db()
    return case


def _close(world: World, case: Case, outcome: str) -> None:
    services.close_case(case=case, outcome=outcome, by=world["coordinator"], expected_version=None)


def responsible_party(case: Case) -> Participant:
    return parties(case, Participant.Role.RESPONSIBLE)[0]


def rename(participant: Participant, given: str, family: str, born: date | None) -> None:
    """Give the person a name of the test's own (people in submit() share names)."""
    person = participant.person
    person.given_name, person.family_name, person.date_of_birth = given, family, born
    person.save()


def checks_of(participant: Participant) -> dict[int, ReoffendingCheck]:
    return {check.months: check for check in participant.reoffending_checks.all()}


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()

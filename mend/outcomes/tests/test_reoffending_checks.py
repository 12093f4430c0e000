"""Re-offending checks: made at the program's months after completion, only for the
responsible parties of completed cases, once each."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome
from mend.core.models import AuditEvent
from mend.outcomes.models import OutcomeSettings, ReoffendingCheck
from mend.outcomes.reoffending_checks import add_months, create_missing_checks
from mend.outcomes.reoffending_services import update_follow_up_months
from mend.testing.cases import parties
from mend.testing.personas import World
from mend.testing.reoffending import checks_of, completed_case, responsible_party

pytestmark = pytest.mark.django_db


def test_closing_a_case_as_completed_makes_a_check_at_6_12_and_24_months_for_each_responsible_party(
    world: World,
) -> None:
    case = completed_case(world, closed_at=datetime(2025, 1, 31, 15, 0, tzinfo=UTC), responsible=2)
    for participant in parties(case, Participant.Role.RESPONSIBLE):
        checks = checks_of(participant)
        assert sorted(checks) == [6, 12, 24]
        assert {m: c.due_on for m, c in checks.items()} == {
            6: date(2025, 7, 31),
            12: date(2026, 1, 31),
            24: date(2027, 1, 31),
        }
        assert all(c.completed_on == date(2025, 1, 31) and c.result == "" for c in checks.values())
    # The harmed party and anyone else is never followed up.
    assert ReoffendingCheck.objects.count() == 6
    assert AuditEvent.objects.filter(action="reoffending.checks_created").count() == 1


def test_the_completion_date_is_the_day_the_case_closed_on_the_programs_clock(
    world: World,
) -> None:
    world.program.time_zone = "America/New_York"
    world.program.save()
    # 03:00 in London on 1 March is still 28 February in New York.
    case = completed_case(world, closed_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    checks = checks_of(responsible_party(case))
    assert checks[6].completed_on == date(2026, 2, 28)
    assert checks[6].due_on == date(2026, 8, 28)


def test_checks_follow_the_months_the_program_chose(world: World) -> None:
    update_follow_up_months(
        program=world.program, months="3, 36", by=world["program_admin"], expected_version=1
    )
    case = completed_case(world, closed_at=datetime(2024, 5, 10, 12, tzinfo=UTC))
    checks = checks_of(responsible_party(case))
    assert {m: c.due_on for m, c in checks.items()} == {
        3: date(2024, 8, 10),
        36: date(2027, 5, 10),
    }


def test_a_case_that_ended_otherwise_gets_no_checks(world: World) -> None:
    completed_case(world, outcome=Outcome.AGREEMENT_NOT_COMPLETED)
    assert ReoffendingCheck.objects.count() == 0


def test_running_the_command_twice_makes_each_missing_check_once(world: World) -> None:
    case = completed_case(world, closed_at=datetime(2025, 6, 1, 12, tzinfo=UTC))
    # A case closed before checks were made automatically: no checks yet.
    ReoffendingCheck.objects.all().delete()
    out = io.StringIO()
    call_command("create_reoffending_checks", stdout=out)
    call_command("create_reoffending_checks", stdout=out)
    assert out.getvalue().splitlines() == [
        "Re-offending checks created: 3.",
        "Re-offending checks created: 0.",
    ]
    assert sorted(checks_of(responsible_party(case))) == [6, 12, 24]
    assert ReoffendingCheck.objects.count() == 3


def test_closing_hook_and_backfill_together_never_duplicate_a_check(world: World) -> None:
    case = completed_case(world)
    assert create_missing_checks() == 0
    # The hook runs again for the same closure (as a replayed close would): nothing new.
    from mend.outcomes.reoffending_checks import create_checks_for_case

    assert create_checks_for_case(Case.objects.get(pk=case.pk)) == 0
    assert ReoffendingCheck.objects.count() == 3


def test_a_window_added_later_is_made_for_cases_already_completed(world: World) -> None:
    case = completed_case(world, closed_at=datetime(2025, 6, 1, 12, tzinfo=UTC))
    update_follow_up_months(
        program=world.program,
        months=[6, 12, 24, 36],
        by=world["program_admin"],
        expected_version=1,
    )
    assert create_missing_checks(world.program) == 1
    assert sorted(checks_of(responsible_party(case))) == [6, 12, 24, 36]


@pytest.mark.parametrize("months", ["0", "121", "6, 6", "6.5", "", "six", "-3"])
def test_windows_must_be_whole_months_from_1_to_120_each_once(world: World, months: str) -> None:
    with pytest.raises(ValidationError) as refused:
        update_follow_up_months(
            program=world.program, months=months, by=world["program_admin"], expected_version=1
        )
    assert "follow_up_months" in refused.value.message_dict
    assert not OutcomeSettings.objects.exists()


def test_the_windows_form_opened_on_an_old_version_is_refused(world: World) -> None:
    # Settings never saved are version 1, and stay so when first saved.
    for months in ("6", "12"):
        update_follow_up_months(
            program=world.program, months=months, by=world["program_admin"], expected_version=1
        )
    with pytest.raises(ValidationError):
        update_follow_up_months(
            program=world.program, months="24", by=world["program_admin"], expected_version=1
        )
    assert OutcomeSettings.objects.get().follow_up_months == [12]


def test_a_month_later_than_the_last_day_of_a_short_month_is_its_last_day() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_a_responsible_party_who_withdrew_before_completion_is_not_followed_up(
    world: World,
) -> None:
    from mend.cases import services
    from mend.cases.models import ConsentEntry
    from mend.cases.stages import Stage
    from mend.testing.cases import submit, to_stage

    case = to_stage(world, submit(world, responsible=2), Stage.AGREEMENT)
    left, stayed = parties(case, Participant.Role.RESPONSIBLE)
    services.withdraw_participant(
        participant=left,
        method=ConsentEntry.Method.VERBAL,
        reason="Moved away.",
        by=world["coordinator"],
        expected_version=None,
    )
    services.close_case(
        case=case,
        outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT,
        by=world["coordinator"],
        expected_version=None,
    )
    assert checks_of(left) == {}
    assert sorted(checks_of(stayed)) == [6, 12, 24]

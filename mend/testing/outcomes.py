"""A small program history spread over two quarters, built through the real services
with the clock moved, for the tests of the measures. The numbers it should give are
written out in KNOWN, worked out by hand from the story below.

The program runs on New York time, and one referral arrives at 23:30 there on the last
day of the first quarter (already the next quarter in UTC), so a measure that dates by
UTC instead of the program's day is caught.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from mend.agreements.models import Agreement
from mend.cases import services
from mend.cases.models import Case, ConsentEntry, Participant
from mend.cases.stages import Outcome, Stage
from mend.outcomes.periods import calendar_quarter
from mend.programs.models import ConsentPurpose, Membership, ProcessType, Program
from mend.testing.agreements import binding, carry_out, restitution, service
from mend.testing.cases import assess_all, consent_all, parties, submit, to_stage
from mend.testing.meetings import meet_jointly
from mend.testing.personas import World

Q1 = calendar_quarter(2026, 1)
Q2 = calendar_quarter(2026, 2)

# measure code -> (value in Q1, value in Q2)
KNOWN: dict[str, tuple[object, object]] = {
    "referrals": (3, 2),
    "harmed_parties_referred": (3, 2),
    "offers_made": (1, 2),
    "offers_in_time": (1, 1),
    "withdrawals": (1, 1),
    "agreements_reached": (1, 0),
    "agreements_completed": (1, 0),
    # D's hour-long conference in April was co-facilitated by the volunteer.
    "volunteer_hours": (Decimal(0), Decimal(1)),
    # A closed in March and B ended when its only harmed party withdrew in February;
    # E ended the same way in May.
    "cases_ended": (2, 1),
    "funnel_referred": (3, 2),
    "funnel_contacted": (1, 2),
    "funnel_harmed_consented": (1, 1),
    "funnel_responsible_consented": (1, 1),
    "funnel_assessed": (1, 1),
    "funnel_direct": (1, 1),
    "funnel_indirect": (0, 0),
    "funnel_process": (1, 1),
    "funnel_agreement": (1, 0),
    "funnel_completed": (1, 0),
}


def at(year: int, month: int, day: int, hour: int = 15, minute: int = 0) -> time_machine.travel:
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=UTC), tick=False)


def build_history(world: World) -> None:
    Program.objects.filter(pk=world.program.pk).update(time_zone="America/New_York")
    world.program.refresh_from_db()
    # Everyone held their role before the story starts.
    Membership.objects.update(starts_on=date(2025, 1, 1))
    coordinator = world["coordinator"]

    # A: referred on Monday 5 January, offered and consented the same day, met, agreed in
    # February, every term done on 2 March and the case closed on 3 March.
    with at(2026, 1, 5):
        case_a = to_stage(world, submit(world, area="Old  Town ", precinct="4"), Stage.AGREEMENT)
    with at(2026, 2, 10):
        agreement = binding(
            world, case_a, [restitution(world, case_a, "150.00"), service(world, case_a, 6)]
        )
    with at(2026, 3, 2):
        carry_out(world, agreement)
    with at(2026, 3, 3):
        case_a.refresh_from_db()
        services.close_case(
            case=case_a,
            outcome=Outcome.COMPLETED_WITH_AGREEMENT,
            by=coordinator,
            expected_version=None,
        )

    # B: referred 2 February; the harmed party, never reached, withdraws on 20 February
    # while the case is at contact and consent.
    with at(2026, 2, 2):
        case_b = to_stage(world, submit(world, area="Old Town", precinct="7"), Stage.CONTACT)
    with at(2026, 2, 20):
        _withdraw(world, parties(case_b, Participant.Role.HARMED)[0], "safety")

    # C: referred at 23:30 on 31 March in New York (1 April in UTC); nothing more.
    with at(2026, 4, 1, 3, 30):
        submit(world)

    # D: referred Monday 6 April; first offered (and consented) on 20 April, after the
    # five working days; it reaches agreement and follow-up with no agreement yet.
    with at(2026, 4, 6):
        case_d = to_stage(world, submit(world), Stage.CONTACT)
    with at(2026, 4, 20):
        consent_all(world, case_d, ConsentPurpose.CONTACT)
        _onward_to_agreement(world, case_d)

    # E: referred 4 May and offered that day; the harmed party withdraws on 20 May,
    # which ends the case.
    with at(2026, 5, 4):
        case_e = to_stage(world, submit(world), Stage.CONTACT)
        consent_all(world, case_e, ConsentPurpose.CONTACT)
    with at(2026, 5, 20):
        _withdraw(world, parties(case_e, Participant.Role.HARMED)[0])


def _onward_to_agreement(world: World, case: Case) -> None:
    """From contact and consent to agreement and follow-up, as to_stage walks it."""
    by = world["facilitator"]
    services.move_case(case=case, to=Stage.PREPARATION, by=by, expected_version=None)
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    services.choose_process(case=case, process=ProcessType.CONFERENCE, by=by, expected_version=None)
    services.move_case(case=case, to=Stage.PROCESS, by=by, expected_version=None)
    meeting = meet_jointly(world, case)
    # A volunteer practitioner co-facilitated (only the row matters to the reports).
    meeting.co_facilitators.add(world["volunteer"])
    services.move_case(case=case, to=Stage.AGREEMENT, by=by, expected_version=None)


def _withdraw(world: World, participant: Participant, code: str = "") -> None:
    services.withdraw_participant(
        participant=participant,
        method=ConsentEntry.Method.VERBAL,
        reason="Does not want to go on.",
        reason_code=code,
        by=world["facilitator"],
        expected_version=None,
    )


def agreement_of(world: World) -> Agreement:
    return Agreement.objects.get(case__program=world.program, number=1)

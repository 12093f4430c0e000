"""Every measure equals a count made here by hand from the raw rows, and the numbers the
story of mend.testing.outcomes was written to give."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mend.agreements.models import Agreement, Payment, ServiceSession
from mend.cases.dashboard import add_working_days
from mend.cases.models import (
    Case,
    Note,
    Participant,
    Referral,
    RJOffer,
    SafetyAssessment,
)
from mend.outcomes import measures
from mend.outcomes.funnel import STEPS, funnel
from mend.outcomes.periods import Period
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.programs.models import Membership
from mend.testing.cases import submit
from mend.testing.outcomes import KNOWN, Q1, Q2, at, build_history
from mend.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world: World) -> World:
    build_history(world)
    return world


def local(moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo("America/New_York")).date()


def in_period(day: date | None, period: Period) -> bool:
    return day is not None and period.start <= day < period.end


def hand_counts(world: World, period: Period) -> dict[str, object]:
    """Each measure counted from the raw rows in plain Python, independently of the
    queries of mend.outcomes."""
    program = world.program
    referrals = [
        r
        for r in Referral.objects.filter(program=program)
        if in_period(local(r.created_at), period)
    ]
    cases = [r.case for r in referrals]
    harmed = [p for c in cases for p in c.participants.all() if p.role == "harmed"]
    offers_in_period = {
        o.participant_id
        for o in RJOffer.objects.filter(participant__case__program=program)
        if in_period(o.offered_on, period)
    }
    in_time = []
    for person in harmed:
        first = min((o.offered_on for o in person.offers.all()), default=None)
        received = local(person.case.referral.created_at)
        if first is not None and first <= add_working_days(
            received, program.rj_offer_deadline_working_days
        ):
            in_time.append(person)
    withdrawn = [
        p
        for p in Participant.objects.filter(
            case__program=program, role__in=["harmed", "responsible"]
        )
        if p.withdrawn_at and in_period(local(p.withdrawn_at), period)
    ]
    agreements = Agreement.objects.filter(case__program=program)
    reached = [
        a
        for a in agreements
        if a.number == 1 and a.agreed_at and in_period(local(a.agreed_at), period)
    ]
    done = [
        a
        for a in agreements
        if a.status == "completed" and a.ended_at and in_period(local(a.ended_at), period)
    ]
    terms = [t for a in reached for t in a.terms.all()]
    paid = [
        p
        for p in Payment.objects.filter(term__agreement__case__program=program)
        if in_period(p.paid_on, period)
    ]
    sessions = [
        s
        for s in ServiceSession.objects.filter(term__agreement__case__program=program)
        if s.verified_at and in_period(s.on, period)
    ]
    held = [
        m
        for m in Meeting.objects.filter(case__program=program)
        if m.status == "held" and in_period(local(m.starts_at), period)
    ]
    volunteer_minutes = 0
    for meeting in held:
        day = local(meeting.starts_at)
        facilitators = [meeting.lead, *meeting.co_facilitators.all()]
        for user in facilitators:
            if any(
                m.role == "volunteer"
                and m.starts_on <= day
                and (m.ended_at is None or m.ended_at > meeting.starts_at)
                for m in Membership.objects.filter(program=program, user=user)
            ):
                volunteer_minutes += meeting.duration_minutes or 0
    ended = [
        c
        for c in Case.objects.filter(program=program)
        if c.stage in ("closed", "withdrawn") and in_period(local(c.closed_at), period)
    ]
    counts: dict[str, object] = {
        "cases_ended": len(ended),
        "referrals": len(referrals),
        "harmed_parties_referred": len(harmed),
        "offers_made": len(offers_in_period),
        "offers_in_time": len(in_time),
        "withdrawals": len(withdrawn),
        "meetings_held": len(held),
        "volunteer_hours": Decimal(volunteer_minutes) / 60,
        "agreements_reached": len(reached),
        "agreements_completed": len(done),
        "restitution_agreed": sum(
            (t.amount for t in terms if t.kind == "restitution"), Decimal("0.00")
        ),
        "restitution_paid": sum((p.amount for p in paid), Decimal("0.00")),
        "service_hours_agreed": Decimal(
            sum(t.service_minutes or 0 for t in terms if t.kind == "community_service")
        )
        / 60,
        "service_hours_verified": Decimal(sum(s.minutes or 0 for s in sessions)) / 60,
    }
    counts.update(funnel_by_hand(cases))
    return counts


def funnel_by_hand(cases: list[Case]) -> dict[str, int]:
    def any_of(case: Case, test) -> bool:  # type: ignore[no-untyped-def]
        return any(test(p) for p in case.participants.all())

    def consented(p: Participant, role: str) -> bool:
        return p.role == role and any(
            e.decision == "given" and e.purpose in ("indirect", "face_to_face")
            for e in p.consent_entries.all()
        )

    def attended(case: Case, kinds: tuple[str, ...]) -> bool:
        return any(
            i.attended and i.meeting.status == "held" and i.meeting.kind in kinds
            for i in MeetingInvitee.objects.filter(meeting__case=case)
        )

    direct_kinds = ("mediation", "conference", "circle", "community_panel", "police_community")
    rows = {
        "funnel_referred": cases,
        "funnel_contacted": [
            c
            for c in cases
            if any_of(c, lambda p: p.consent_entries.filter(decision="given").exists())
            or Note.objects.filter(case=c, kind="contact", contact_outcome="reached").exists()
        ],
        "funnel_harmed_consented": [
            c for c in cases if any_of(c, lambda p: consented(p, "harmed"))
        ],
        "funnel_responsible_consented": [
            c for c in cases if any_of(c, lambda p: consented(p, "responsible"))
        ],
        "funnel_assessed": [
            c
            for c in cases
            if SafetyAssessment.objects.filter(
                participant__case=c, result__in=["suitable", "with_conditions"]
            ).exists()
        ],
        "funnel_direct": [c for c in cases if attended(c, direct_kinds)],
        "funnel_indirect": [
            c
            for c in cases
            if attended(c, ("shuttle",))
            or Letter.objects.filter(case=c, status="delivered").exists()
        ],
        "funnel_agreement": [c for c in cases if c.agreement_reached_on],
        "funnel_completed": [
            c
            for c in cases
            if c.outcome in ("completed_with_agreement", "completed_without_agreement")
        ],
    }
    rows["funnel_process"] = [
        c for c in cases if c in rows["funnel_direct"] or c in rows["funnel_indirect"]
    ]
    return {code: len(found) for code, found in rows.items()}


@pytest.mark.parametrize("period", [Q1, Q2], ids=["Q1", "Q2"])
def test_every_measure_equals_a_count_by_hand_from_the_raw_rows(
    history: World, period: Period
) -> None:
    by_hand = hand_counts(history, period)
    everything = [m for m in measures.all_measures() if not _counted_elsewhere(m.code)]
    unchecked = sorted(m.code for m in everything if m.code not in by_hand)
    assert not unchecked, f"Count these by hand too: {unchecked}"
    for measure in everything:
        assert measure.value(history.program, period) == by_hand[measure.code], measure.code


# Measures whose own tests count them by hand from a history built for them.
COUNTED_ELSEWHERE = {
    "survey": "test_surveys_staff.py",
    "voca_": "test_returns_figures.py",
    "pcc_": "test_returns_figures.py",
    "victims_engaged": "test_returns_figures.py",
    "yj_": "test_returns_figures.py",
    "reoffending_": "test_reoffending_measures.py",
}


def _counted_elsewhere(code: str) -> bool:
    for prefix, test_file in COUNTED_ELSEWHERE.items():
        if code.startswith(prefix):
            assert (Path(__file__).parent / test_file).exists(), test_file
            return True
    return False


@pytest.mark.parametrize("index, period", [(0, Q1), (1, Q2)], ids=["Q1", "Q2"])
def test_the_measures_give_the_numbers_the_story_was_written_to_give(
    history: World, index: int, period: Period
) -> None:
    for code, values in KNOWN.items():
        measure = measures.get(code)
        assert measure is not None, code
        assert measure.value(history.program, period) == values[index], code


def test_money_and_hours_add_up_to_what_was_agreed_and_done(history: World) -> None:
    program = history.program
    assert measures.get("restitution_agreed").value(program, Q1) == Decimal("150.00")  # type: ignore[union-attr]
    assert measures.get("restitution_paid").value(program, Q1) == Decimal("150.00")  # type: ignore[union-attr]
    assert measures.get("service_hours_agreed").value(program, Q1) == 6  # type: ignore[union-attr]
    assert measures.get("service_hours_verified").value(program, Q1) == 6  # type: ignore[union-attr]
    assert measures.get("restitution_paid").value(program, Q2) == 0  # type: ignore[union-attr]


def test_a_referral_late_at_night_on_the_last_day_counts_in_the_program_s_quarter(
    history: World,
) -> None:
    late = Referral.objects.get(program=history.program, created_at__date=date(2026, 4, 1))
    assert local(late.created_at) == date(2026, 3, 31)
    counted = measures.get("referrals").records(history.program, Q1)  # type: ignore[union-attr]
    assert late in counted


def test_breakdowns_add_up_to_the_whole(history: World) -> None:
    for measure in measures.all_measures():
        for dimension in measure.dimensions:
            for period in (Q1, Q2):
                parts = measure.breakdown(history.program, period, dimension.code)
                if not measure.distinct:
                    assert sum(parts.values()) == measure.value(history.program, period), (
                        measure.code,
                        dimension.code,
                    )


def test_referrals_are_counted_by_the_area_and_precinct_the_referrer_gave(history: World) -> None:
    referrals = measures.require("referrals")
    assert referrals.breakdown(history.program, Q1, "area") == {"Old Town": 2, "": 1}
    assert referrals.breakdown(history.program, Q1, "precinct") == {"4": 1, "7": 1, "": 1}
    assert referrals.records(history.program, Q1, area=None).count() == 1
    assert referrals.records(history.program, Q1, area="Old Town").count() == 2


def test_withdrawals_say_the_stage_the_case_was_in(history: World) -> None:
    stages = measures.get("withdrawals").breakdown(history.program, Q1, "stage")  # type: ignore[union-attr]
    assert stages == {"contact": 1}
    stages = measures.get("withdrawals").breakdown(history.program, Q2, "stage")  # type: ignore[union-attr]
    assert stages == {"contact": 1}


def test_withdrawals_are_counted_by_the_reason_recorded_and_never_by_the_words(
    history: World,
) -> None:
    withdrawals = measures.require("withdrawals")
    assert withdrawals.breakdown(history.program, Q1, "reason") == {"safety": 1}
    # The second withdrawal has no reason recorded: it counts as "not recorded".
    assert sum(withdrawals.breakdown(history.program, Q2, "reason").values()) == 1
    assert withdrawals.records(history.program, Q2, reason=None).count() == 1
    assert withdrawals.records(history.program, Q1, reason="safety").count() == 1


def test_the_funnel_converts_each_step_over_the_one_it_follows(history: World) -> None:
    rows = {row.step.code: row for row in funnel(history.program, Q1)}
    assert [row.step.code for row in funnel(history.program, Q1)] == [s.code for s in STEPS]
    assert rows["funnel_referred"].conversion is None
    assert rows["funnel_contacted"].conversion == pytest.approx(1 / 3)
    assert rows["funnel_contacted"].median_days == 0
    # Agreed on 10 February, met on 5 January.
    assert rows["funnel_agreement"].median_days == 36


def test_another_program_s_records_are_never_counted(history: World) -> None:
    with at(2026, 2, 3):
        submit(history, program=history.other_program, by=history["outsider"])
    by_hand = hand_counts(history, Q1)
    for measure in measures.all_measures():
        if not _counted_elsewhere(measure.code):
            assert measure.value(history.program, Q1) == by_hand[measure.code], measure.code
    assert measures.get("referrals").value(history.other_program, Q1) == 1  # type: ignore[union-attr]

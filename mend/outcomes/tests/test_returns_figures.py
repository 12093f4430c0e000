"""Every figure of the returns equals a count worked out here, in Python, from the raw
rows of a generated data set; and each figure's records are exactly the ones counted."""

from __future__ import annotations

import random
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from mend.cases.models import Case, ConsentEntry, Note, Participant, Person, Referral, RJOffer
from mend.cases.stages import Outcome
from mend.outcomes.periods import (
    Period,
    federal_fiscal_year,
    federal_fiscal_year_period,
    parse_quarter,
)
from mend.outcomes.returns.lines import figures_of, records_of
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.programs.practice import DIRECT_PROCESSES
from mend.testing import returns as r
from mend.testing.cases import parties, submit
from mend.testing.personas import World

ZONE = "Europe/London"
QUARTERS = ["2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2"]
FIRST_DAY = date(2026, 6, 1)
DAYS = 420
HARMED = Participant.Role.HARMED


def _day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange(DAYS))


def _moment(rng: random.Random) -> datetime:
    # Hours near midnight, where UTC and London disagree about the day.
    return r.at(_day(rng), rng.choice([0, 1, 12, 23]))


@pytest.fixture
def generated(world: World) -> None:
    rng = random.Random(2026)
    world.program.time_zone = ZONE
    world.program.save(update_fields=["time_zone"])
    staff = world["facilitator"]
    cases = [submit(world, harmed=rng.choice([1, 1, 2])) for _ in range(10)]
    people = list(
        Person.objects.filter(participations__case__in=cases, participations__role=HARMED)
    )
    for case in cases[:4]:
        r.harmed_in(case, rng.choice(people))
    for case in cases:
        Referral.objects.filter(pk=case.referral_id).update(created_at=_moment(rng))
        if rng.random() < 0.5:
            Case.objects.filter(pk=case.pk).update(
                stage="closed",
                outcome=rng.choice(
                    [Outcome.COMPLETED_WITH_AGREEMENT, Outcome.COMPLETED_WITHOUT_AGREEMENT]
                ),
                closed_at=_moment(rng),
            )
        Person.objects.filter(participations__case=case).update(
            date_of_birth=rng.choice(
                [None, date(2012, 3, 4), date(1999, 11, 30), date(1950, 1, 1)]
            ),
            preferred_language=rng.choice(["", "es", "so"]),
        )
        everyone = parties(case)
        for participant in everyone:
            for _ in range(rng.randrange(7)):
                _service(rng, participant, everyone, staff)


def _service(rng: random.Random, who: Participant, everyone: list[Participant], staff: Any) -> None:
    kind = rng.choice(["offer", "consent", "contact", "meeting", "letter"])
    if kind == "offer":
        r.offer(who, _day(rng))
    elif kind == "consent":
        r.consent(
            who,
            _day(rng),
            staff,
            purpose=rng.choice(["contact", "contact", "face_to_face"]),
            decision=rng.choice(["given", "given", "declined", "withdrawn"]),
        )
    elif kind == "contact":
        r.contact(who, _moment(rng), rng.choice(["reached", "reached", "no_answer"]))
    elif kind == "meeting":
        r.meeting(
            who.case,
            _moment(rng),
            staff,
            attended=[who] if rng.random() < 0.7 else [],
            absent=() if rng.random() < 0.7 else tuple(p for p in everyone if p != who),
            kind=rng.choice(["preparation", "conference", "shuttle", "circle"]),
            status=rng.choice([Meeting.Status.HELD, Meeting.Status.HELD, Meeting.Status.CANCELLED]),
        )
    else:
        other = rng.choice([p for p in everyone if p != who])
        if rng.random() < 0.8:
            r.letter(who, other, _day(rng), staff)
        else:
            r.letter(who, other, None, staff, status=Letter.Status.APPROVED)


# -- the counts, worked out independently from the raw rows -----------------------------


def _local(moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(ZONE)).date()


def _events(world: World) -> dict[str, list[tuple[int, date]]]:
    """(person, day) of every service to a harmed party, by kind of service."""
    ours = {"participant__case__program": world.program}
    harmed = {
        p.pk: p.person_id
        for p in Participant.objects.filter(case__program=world.program, role=HARMED)
    }
    events: dict[str, list[tuple[int, date]]] = defaultdict(list)
    for offer in RJOffer.objects.filter(**ours):
        if offer.participant_id in harmed:
            events["offer"].append((harmed[offer.participant_id], offer.offered_on))
    for entry in ConsentEntry.objects.filter(**ours):
        if entry.participant_id in harmed:
            events["consent"].append((harmed[entry.participant_id], entry.decided_on))
            if entry.purpose == "contact" and entry.decision == "given":
                events["consented"].append((harmed[entry.participant_id], entry.decided_on))
    for note in Note.objects.filter(case__program=world.program, kind="contact"):
        if note.participant_id in harmed and note.contact_outcome == "reached":
            events["contact"].append((harmed[note.participant_id], _local(note.created_at)))
    for invitee in MeetingInvitee.objects.filter(
        meeting__case__program=world.program
    ).select_related("meeting"):
        meeting = invitee.meeting
        if invitee.participant_id in harmed and invitee.attended and meeting.status == "held":
            event = (harmed[invitee.participant_id], _local(meeting.starts_at))
            events["meeting"].append(event)
            if meeting.kind in DIRECT_PROCESSES:
                events["direct"].append(event)
            if meeting.kind == "shuttle":
                events["indirect"].append(event)
    for letter in Letter.objects.filter(case__program=world.program, status="delivered"):
        for party in (letter.author_id, letter.recipient_id):
            if party in harmed:
                assert letter.delivered_on is not None
                events["letter"].append((harmed[party], letter.delivered_on))
                events["indirect"].append((harmed[party], letter.delivered_on))
    return events


def _in(events: list[tuple[int, date]], start: date, end: date) -> set[int]:
    return {person for person, day in events if start <= day < end}


def _band(age: int | None) -> str:
    if age is None:
        return "not_recorded"
    for top, band in ((13, "0_12"), (18, "13_17"), (25, "18_24"), (60, "25_59")):
        if age < top:
            return band
    return "60_plus"


def expected(world: World, period: Period) -> dict[str, Any]:
    events = _events(world)
    served_events = [
        e for kind in ("offer", "consent", "contact", "meeting", "letter") for e in events[kind]
    ]
    served = _in(served_events, period.start, period.end)
    fy_start = federal_fiscal_year_period(federal_fiscal_year(period.start)).start
    earlier = _in(served_events, fy_start, period.start)
    new = served - earlier
    first = {
        person: min(d for p, d in served_events if p == person and period.contains(d))
        for person in new
    }
    born = dict(Person.objects.filter(pk__in=new).values_list("pk", "date_of_birth"))
    spoken = dict(Person.objects.filter(pk__in=new).values_list("pk", "preferred_language"))
    ages: dict[str, set[int]] = defaultdict(set)
    languages: dict[str, set[int]] = defaultdict(set)
    for person in new:
        birth = born[person]
        age = None if birth is None else Person(date_of_birth=birth).age_on(first[person])
        ages[_band(age)].add(person)
        languages[spoken[person] or "not_recorded"].add(person)
    direct = _in(events["direct"], period.start, period.end)
    indirect = _in(events["indirect"], period.start, period.end)
    engaged = direct | indirect
    consented = _in(events["consented"], period.start, period.end)
    referrals = {
        ref.pk
        for ref in Referral.objects.filter(program=world.program)
        if period.contains(_local(ref.created_at))
    }
    completed = {
        case.pk
        for case in Case.objects.filter(
            program=world.program, outcome=Outcome.COMPLETED_WITH_AGREEMENT
        )
        if case.closed_at is not None and period.contains(_local(case.closed_at))
    }
    sets: dict[str, set[int]] = {
        "voca_served": served,
        "voca_new": new,
        "voca_continuing": served & earlier,
        "referrals": referrals,
        "pcc_offered": _in(events["offer"], period.start, period.end),
        "pcc_direct": direct,
        "pcc_indirect": indirect,
        "victims_engaged": engaged,
        "pcc_completed": completed,
        "yj_consented": consented,
    }
    for band in ("0_12", "13_17", "18_24", "25_59", "60_plus", "not_recorded"):
        sets[f"voca_new.age_band.{band}"] = ages[band]
    for language, found in languages.items():
        sets[f"voca_new.language.{language}"] = found
    ratio = None
    if consented:
        ratio = (Decimal(len(engaged)) * 100 / len(consented)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    return {"sets": sets, "ratio": ratio}


# What a figure's records are counted by: the person, the referral or the case.
COUNTED_BY = {
    "referrals": "pk",
    "pcc_completed": "pk",
    "pcc_offered": "participant__person",
    "yj_consented": "participant__person",
}


@pytest.mark.parametrize("code", QUARTERS)
def test_every_figure_equals_the_count_from_the_raw_rows(
    world: World, generated: None, code: str
) -> None:
    period = parse_quarter(code)
    assert period is not None
    known = expected(world, period)
    seen = {}
    for _ret, figures in figures_of(world.program, period, exact=True, threshold=5):
        for figure in figures:
            seen[figure.code] = figure.value
    for figure_code, people in known["sets"].items():
        assert seen.get(figure_code, 0) == len(people), figure_code
    # Breakdown cells found only when someone is in them: none is missing or extra.
    cells = {c for c in seen if c.startswith("voca_new.") and seen[c]}
    assert cells == {c for c, found in known["sets"].items() if c.startswith("voca_new.") and found}
    assert seen["yj_engagement_ratio"] == known["ratio"]
    assert seen["voca_new"] + seen["voca_continuing"] == seen["voca_served"]


@pytest.mark.parametrize("code", QUARTERS[1:3])
def test_each_figure_lists_exactly_the_records_it_counts(
    world: World, generated: None, code: str
) -> None:
    period = parse_quarter(code)
    assert period is not None
    known = expected(world, period)["sets"]
    for figure_code, wanted in known.items():
        found = records_of(figure_code, world.program, period)
        assert found is not None, figure_code
        _line, rows, _label = found
        path = COUNTED_BY.get(figure_code.split(".")[0], "person")
        assert set(rows.values_list(path, flat=True)) == wanted, figure_code


def test_the_generated_data_set_has_something_in_every_figure(
    world: World, generated: None
) -> None:
    """The data set is big enough to try the rules: most figures are not zero (in the
    second quarter of the fiscal year, so that some victims are continuing)."""
    period = parse_quarter("2027-Q1")
    assert period is not None
    known = expected(world, period)["sets"]
    for code in (
        "voca_served",
        "voca_new",
        "voca_continuing",
        "pcc_offered",
        "victims_engaged",
        "yj_consented",
        "referrals",
    ):
        assert known[code], code

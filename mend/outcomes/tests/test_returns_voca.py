"""The VOCA counting rules: once per quarter, new once per federal fiscal year, otherwise
continuing, demographics for new victims only."""

from __future__ import annotations

from datetime import date

import pytest

from mend.cases.models import Note, Participant, Person
from mend.outcomes.periods import parse_quarter
from mend.outcomes.returns import figures as f
from mend.outcomes.returns.lines import figures_of
from mend.testing import returns as r
from mend.testing.cases import parties, submit
from mend.testing.personas import World

# Federal fiscal year 2027 runs from 1 October 2026; its first quarter is 2026-Q4.
FY27_Q1 = parse_quarter("2026-Q4")
FY27_Q2 = parse_quarter("2027-Q1")
FY28_Q1 = parse_quarter("2027-Q4")
FY26_Q4 = parse_quarter("2026-Q3")


def people(measure: f.Measure, world: World, quarter: object) -> set[str]:
    rows = measure.rows(world.program, quarter)  # type: ignore[arg-type]
    return set(rows.values_list("person__given_name", flat=True))


def named(case: object, given: str, born: date | None = None, language: str = "") -> Participant:
    harmed = parties(case, Participant.Role.HARMED)[0]  # type: ignore[arg-type]
    Person.objects.filter(pk=harmed.person_id).update(
        given_name=given, date_of_birth=born, preferred_language=language
    )
    harmed.refresh_from_db()
    return harmed


@pytest.fixture
def victims(world: World) -> dict[str, Participant]:
    staff = world["facilitator"]
    ana = named(submit(world), "Ana", date(1980, 5, 1))
    r.offer(ana, date(2026, 10, 5))
    r.contact(ana, r.at(date(2026, 11, 2), 10))
    r.meeting(ana.case, r.at(date(2027, 2, 10), 14), staff, attended=[ana])
    r.consent(ana, date(2027, 10, 15), staff)

    # Ben: harmed in two cases, served in both in the same quarter; 15 on his first
    # service (his 16th birthday is nine days later).
    ben = named(submit(world), "Ben", date(2010, 12, 10), "es")
    ben_again = r.harmed_in(submit(world), ben.person)
    responsible = parties(ben_again.case, Participant.Role.RESPONSIBLE)[0]
    r.offer(ben, date(2026, 12, 1))
    r.letter(responsible, ben_again, date(2026, 12, 15), staff)

    cara = named(submit(world), "Cara", None)
    r.consent(cara, date(2027, 1, 20), staff, decision="declined")

    # Dan was tried, never reached, and missed the meeting: not served.
    dan = named(submit(world), "Dan", date(1990, 1, 1))
    r.contact(dan, r.at(date(2026, 11, 3), 9), Note.ContactOutcome.NO_ANSWER)
    r.meeting(dan.case, r.at(date(2026, 11, 20), 9), staff, attended=[], absent=(dan,))

    # Eve: served at the end of fiscal 2026 and again at the start of fiscal 2027; 59 on
    # 10 October 2026, 60 the next day.
    eve = named(submit(world), "Eve", date(1966, 10, 11))
    r.offer(eve, date(2026, 9, 20))
    r.contact(eve, r.at(date(2026, 10, 10), 12))

    # A responsible party met, and a victim of another program: neither counts.
    rory = parties(ana.case, Participant.Role.RESPONSIBLE)[0]
    r.meeting(ana.case, r.at(date(2026, 10, 20), 10), staff, attended=[rory])
    other = parties(submit(world, program=world.other_program), Participant.Role.HARMED)[0]
    r.offer(other, date(2026, 10, 6))
    return {"ana": ana, "ben": ben, "cara": cara, "dan": dan, "eve": eve}


def test_a_victim_is_new_in_the_first_quarter_of_the_fiscal_year_they_are_served(
    world: World, victims: dict[str, Participant]
) -> None:
    assert people(f.VOCA_NEW, world, FY27_Q1) == {"Ana", "Ben", "Eve"}
    assert people(f.VOCA_NEW, world, FY27_Q2) == {"Cara"}
    assert people(f.VOCA_NEW, world, FY28_Q1) == {"Ana"}


def test_a_victim_served_again_in_the_same_fiscal_year_is_continuing(
    world: World, victims: dict[str, Participant]
) -> None:
    assert people(f.VOCA_CONTINUING, world, FY27_Q1) == set()
    assert people(f.VOCA_CONTINUING, world, FY27_Q2) == {"Ana"}
    assert people(f.VOCA_CONTINUING, world, FY28_Q1) == set()


def test_a_service_in_the_previous_fiscal_year_does_not_make_a_victim_continuing(
    world: World, victims: dict[str, Participant]
) -> None:
    assert people(f.VOCA_NEW, world, FY26_Q4) == {"Eve"}
    assert "Eve" in people(f.VOCA_NEW, world, FY27_Q1)


def test_a_victim_counts_once_a_quarter_whatever_the_services_and_cases(
    world: World, victims: dict[str, Participant]
) -> None:
    rows = f.VOCA_SERVED.rows(world.program, FY27_Q1)
    # Ben's two cases are two rows, one person.
    assert rows.count() == 4
    assert f.VOCA_SERVED.value(world.program, FY27_Q1) == 3
    assert f.VOCA_NEW.value(world.program, FY27_Q1) == 3
    assert f.VOCA_SERVED.value(world.program, FY27_Q2) == 2
    new = f.VOCA_NEW.value(world.program, FY27_Q2)
    continuing = f.VOCA_CONTINUING.value(world.program, FY27_Q2)
    assert (new, continuing) == (1, 1)


def test_attempts_that_did_not_reach_a_victim_do_not_serve_them(
    world: World, victims: dict[str, Participant]
) -> None:
    for quarter in (FY27_Q1, FY27_Q2, FY28_Q1):
        assert "Dan" not in people(f.VOCA_SERVED, world, quarter)


def test_demographics_count_new_victims_only_by_age_on_their_first_service(
    world: World, victims: dict[str, Participant]
) -> None:
    assert f.VOCA_NEW.breakdown(world.program, FY27_Q1, "age_band") == {"25_59": 2, "13_17": 1}
    # Ana is continuing in the second quarter: only Cara, whose age is not recorded.
    assert f.VOCA_NEW.breakdown(world.program, FY27_Q2, "age_band") == {"not_recorded": 1}
    assert f.VOCA_NEW.breakdown(world.program, FY27_Q1, "language") == {"": 2, "es": 1}


def test_the_return_prints_every_age_band_and_language_of_new_victims(
    world: World, victims: dict[str, Participant]
) -> None:
    voca = dict(
        (ret.code, rows)
        for ret, rows in figures_of(world.program, FY27_Q2, exact=True, threshold=5)
    )["voca"]
    values = {figure.code: figure.value for figure in voca}
    assert values["voca_served"] == 2
    assert values["voca_new.age_band.not_recorded"] == 1
    assert values["voca_new.age_band.25_59"] == 0
    assert values["voca_new.language.not_recorded"] == 1


def test_days_are_read_in_the_program_time_zone(world: World) -> None:
    world.program.time_zone = "America/Chicago"
    world.program.save(update_fields=["time_zone"])
    fay = named(submit(world), "Fay")
    # 03:00 UTC on 1 October is still 30 September in Chicago: fiscal 2026.
    r.contact(fay, r.at(date(2026, 10, 1), 3))
    assert people(f.VOCA_SERVED, world, FY26_Q4) == {"Fay"}
    assert people(f.VOCA_SERVED, world, FY27_Q1) == set()
    row = f.VOCA_SERVED.rows(world.program, FY26_Q4).get()
    assert row.served_on == date(2026, 9, 30)


def test_a_birthday_in_the_quarter_counts_only_when_it_came_before_the_first_service(
    world: World,
) -> None:
    staff = world["facilitator"]
    # Gil turns 18 on 15 November, first served on the 20th; Hal turns 13 on 15 December,
    # first served on the 1st (and again after his birthday, which changes nothing).
    gil = named(submit(world), "Gil", date(2008, 11, 15))
    r.offer(gil, date(2026, 11, 20))
    hal = named(submit(world), "Hal", date(2013, 12, 15))
    r.offer(hal, date(2026, 12, 1))
    r.consent(hal, date(2026, 12, 20), staff)
    assert f.VOCA_NEW.breakdown(world.program, FY27_Q1, "age_band") == {"18_24": 1, "0_12": 1}

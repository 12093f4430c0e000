"""The reports pages: exact figures and their records for coordinators, suppressed
aggregates (and never a person) for analysts and the public."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from mend.outcomes import measures
from mend.outcomes.dashboard import SHOWN
from mend.outcomes.models import OutcomeSettings
from mend.outcomes.periods import parse_quarter, program_today, quarter_containing
from mend.outcomes.report import build, for_quarter
from mend.outcomes.tables import Page, Rate, rate_table
from mend.testing.cases import CANARY_EMAIL, CANARY_PHONE, parties, submit
from mend.testing.outcomes import at, build_history
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

Q1 = "?quarter=2026-Q1"


@pytest.fixture
def history(world: World) -> World:
    build_history(world)
    return world


def page(client: Client, world: World, persona: str, url: str) -> str:
    client.force_login(world[persona])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_coordinator_sees_each_figure_with_its_rule_and_a_link_to_its_records(
    client: Client, history: World
) -> None:
    html = page(client, history, "coordinator", reverse("outcomes:reports") + Q1)
    row = re.search(r'<tr id="measure-referrals">.*?</tr>', html, re.S)
    assert row is not None
    assert ">3<" in row.group(0)
    assert "counted on the day it was received" in row.group(0)
    assert reverse("outcomes:records", args=["referrals"]) in row.group(0)


def test_the_records_behind_a_figure_are_the_cases_it_counts(
    client: Client, history: World
) -> None:
    url = reverse("outcomes:records", args=["referrals"]) + Q1
    html = page(client, history, "coordinator", url)
    assert html.count('href="/cases/RIVERSIDE-2026-') == 3
    assert "3 records counted" in html


def test_an_analyst_sees_small_counts_as_fewer_than_five_and_no_records(
    client: Client, history: World
) -> None:
    html = page(client, history, "analyst", reverse("outcomes:reports") + Q1)
    row = re.search(r'<tr id="measure-referrals">.*?</tr>', html, re.S)
    assert row is not None
    assert "fewer than 5" in row.group(0)
    assert reverse("outcomes:records", args=["referrals"]) not in html
    assert "/cases/" not in html


def test_an_analyst_never_sees_a_person(client: Client, history: World) -> None:
    html = page(client, history, "analyst", reverse("outcomes:reports") + Q1)
    case = parties(history.program.cases.order_by("pk").first())  # type: ignore[arg-type]
    for participant in case:
        assert participant.person.full_name not in html
        assert participant.person.given_name not in html
    for canary in (CANARY_EMAIL, CANARY_PHONE, "RIVERSIDE-2026-"):
        assert canary not in html


def test_an_analyst_may_not_open_the_records_behind_a_figure(
    client: Client, history: World
) -> None:
    client.force_login(history["analyst"])
    response = client.get(reverse("outcomes:records", args=["referrals"]) + Q1)
    assert response.status_code == 403


def test_an_unknown_measure_or_quarter_is_not_an_error(client: Client, history: World) -> None:
    client.force_login(history["coordinator"])
    assert client.get(reverse("outcomes:records", args=["no-such"])).status_code == 404
    assert client.get(reverse("outcomes:reports") + "?quarter=2026-Q9").status_code == 200
    url = reverse("outcomes:records", args=["referrals"]) + Q1 + "&by=offence&value=nobody"
    assert client.get(url).status_code == 200


def test_the_public_trends_page_exists_only_once_the_program_publishes_it(
    client: Client, history: World
) -> None:
    url = reverse("outcomes:public_trends", args=[history.program.slug])
    assert client.get(url).status_code == 404
    OutcomeSettings.objects.create(program=history.program, publish_trends=True)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "fewer than 5" in html
    assert "Hana0" not in html and "/cases/" not in html


def test_saving_the_reporting_settings_changes_the_threshold_and_refuses_nonsense(
    client: Client, history: World
) -> None:
    client.force_login(history["program_admin"])
    url = reverse("outcomes:settings")
    form = client.get(url).context["form"]
    data = {**form.initial, "suppression_threshold": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert not OutcomeSettings.objects.filter(program=history.program).exists()
    data = {**client.get(url).context["form"].initial, "suppression_threshold": "3"}
    assert client.post(url, data).status_code == 302
    assert OutcomeSettings.objects.get(program=history.program).suppression_threshold == 3
    html = page(client, history, "analyst", reverse("outcomes:reports") + Q1)
    row = re.search(r'<tr id="measure-referrals">.*?</tr>', html, re.S)
    assert row is not None and ">3<" in row.group(0)


def test_the_dashboard_shows_an_analyst_this_quarter_s_figures_suppressed(
    client: Client, world: World
) -> None:
    html = page(client, world, "analyst", reverse("programs:dashboard"))
    panel = re.search(r'<section[^>]*id="this_quarter".*?</section>', html, re.S)
    assert panel is not None
    assert "Referrals received" in panel.group(0)
    assert "fewer than 5" in panel.group(0)
    assert reverse("outcomes:reports") in panel.group(0)


def test_an_area_typed_in_by_a_referrer_reaches_an_analyst_only_beside_a_count_they_see(
    client: Client, history: World
) -> None:
    # Two referrals of the first quarter give "Old Town": fewer than 5, so hidden.
    coordinator = page(client, history, "coordinator", reverse("outcomes:reports") + Q1)
    assert "Old Town" in coordinator
    analyst = page(client, history, "analyst", reverse("outcomes:reports") + Q1)
    assert "Old Town" not in analyst
    assert "Other values, each with a hidden count" in analyst
    # Once its count is large enough to show, the area shows beside it.
    with at(2026, 2, 10):
        for area in ["Old Town"] * 5 + ["Riverside"] * 5:
            submit(history, area=area)
    assert "Old Town" in page(client, history, "analyst", reverse("outcomes:reports") + Q1)


def test_the_dashboard_shows_an_analyst_each_figure_as_the_reports_page_does(
    client: Client, history: World
) -> None:
    program = history.program
    period = quarter_containing(program_today(program))
    cells = for_quarter(program, period, exact=False).cells
    html = page(client, history, "analyst", reverse("programs:dashboard"))
    panel = re.search(r'<section[^>]*id="this_quarter".*?</section>', html, re.S)
    assert panel is not None
    for code in SHOWN:
        measure = measures.require(code)
        expected = f"{measure.label}</a> · {cells[(code, period.code)].text}"
        assert expected in panel.group(0), code


def test_the_dashboard_shows_a_coordinator_the_exact_figures(client: Client, world: World) -> None:
    html = page(client, world, "coordinator", reverse("programs:dashboard"))
    panel = re.search(r'<section[^>]*id="this_quarter".*?</section>', html, re.S)
    assert panel is not None and "Referrals received</a> · 0" in panel.group(0)


def test_an_unknown_value_of_a_survey_breakdown_is_not_an_error(
    client: Client, world: World
) -> None:
    client.force_login(world["coordinator"])
    url = reverse("outcomes:records", args=["surveys_sent"])
    for query in ("?by=role&value=bogus", "?by=kind&value="):
        assert client.get(url + query).status_code == 200


def test_a_share_shows_only_where_both_of_its_counts_show(world: World) -> None:
    exact = Page(world.program, True, 5)
    shown = Rate("x", exact.figure("part", 3), exact.figure("whole", 10))
    assert shown.share_text == "30%"
    hidden = Page(world.program, False, 5)
    rate = Rate("x", hidden.figure("part", 3), hidden.figure("whole", 10))
    hidden.tie(rate.whole, [rate.part, hidden.figure("rest", 7)])
    hidden.finish()
    assert rate.part.text == "fewer than 5" and rate.share_text == "-"


def test_the_whole_less_the_part_of_a_share_cannot_be_worked_out(history: World) -> None:
    # Nine people checked at 12 months, eight with no new offence: the one with a new
    # offence would be nine less eight. One of the two counts must hide.
    page = Page(history.program, False, 5)
    period = parse_quarter("2026-Q1")
    assert period is not None
    page.values[("reoffending_checked_12m", period.code)] = 9
    page.values[("reoffending_new_offence_12m", period.code)] = 8
    table = rate_table(
        page,
        period,
        "x",
        "x",
        "",
        [("12", "reoffending_new_offence_12m", "reoffending_checked_12m")],
    )
    page.finish()
    rate = table.rates[0]
    assert not (rate.part.visible and rate.whole.visible)
    assert rate.share_text == "-"


def test_the_reports_page_sets_survey_answers_before_and_after_and_re_offending_side_by_side(
    client: Client, history: World
) -> None:
    html = page(client, history, "coordinator", reverse("outcomes:reports") + Q1)
    for code, title in (
        ("before-after", "Before and after the process"),
        ("reoffending", "Re-offending after completion"),
    ):
        section = re.search(rf'<section[^>]*table-{code}".*?</section>', html, re.S)
        assert section is not None, code
        assert title in section.group(0)
        assert 'src="data:image/svg+xml' in section.group(0)
    assert "Harmed parties feeling safe, before" in html and "Within 12 months" in html


def test_referrals_over_time_by_area_count_each_quarter_as_its_breakdown_does(
    history: World,
) -> None:
    program = history.program
    period = parse_quarter("2026-Q1")
    assert period is not None
    report = build(program, period, [period, parse_quarter("2026-Q2")], exact=True)  # type: ignore[list-item]
    grid = next(g for g in report.grids if g.code == "referrals-area-trend")
    first = grid.rows[0]
    breakdown = measures.require("referrals").breakdown(program, period, "area")
    by_column = dict(zip(grid.columns, first.cells, strict=True))
    assert by_column["Old Town"].value == breakdown["Old Town"] == 2
    assert first.total.value == sum(breakdown.values()) == 3
    assert 'src="data:image/svg+xml' not in grid.chart  # an address, not markup
    assert grid.chart.startswith("data:image/svg+xml;base64,")

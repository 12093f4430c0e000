"""The returns page, its PDF and CSV, and the drill-down, as each reader meets them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

import pypdf
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mend.accounts.models import User
from mend.cases.models import Case, Participant, Person, Referral
from mend.cases.stages import Outcome
from mend.testing import returns as r
from mend.testing.cases import submit
from mend.testing.personas import World

QUARTER = "2026-Q4"
ROW = re.compile(
    r'data-code="(?P<code>[^"]+)">.*?class="mend-figure">(?:<a [^>]*>)?(?P<shown>[^<]*)<', re.S
)


@pytest.fixture
def served(world: World) -> list[Participant]:
    return r.six_consented(world)


def url(name: str, *args: str, quarter: str = QUARTER) -> str:
    return f"{reverse(name, args=args)}?quarter={quarter}"


def figures_on_page(client: Client) -> dict[str, str]:
    page = client.get(url("outcomes:returns"))
    assert page.status_code == 200
    return {found["code"]: found["shown"].strip() for found in ROW.finditer(page.content.decode())}


def test_the_page_shows_the_current_quarter_in_the_program_time_zone_by_default(
    world: World, client_for: Callable[[str], Client]
) -> None:
    world.program.time_zone = "America/Los_Angeles"
    world.program.save(update_fields=["time_zone"])
    # 05:00 UTC on 1 January 2027 is still 31 December 2026 in Los Angeles.
    with time_machine.travel(r.at(date(2027, 1, 1), 5), tick=False):
        page = client_for("coordinator").get(reverse("outcomes:returns"))
    assert page.status_code == 200
    assert page.context["period"].code == "2026-Q4"
    assert 'href="/reports/returns/pdf/?quarter=2026-Q4"' in page.content.decode()


def test_a_quarter_that_is_no_quarter_gets_a_message_and_the_current_quarter(
    client_for: Callable[[str], Client],
) -> None:
    page = client_for("coordinator").get(reverse("outcomes:returns"), {"quarter": "2026-Q9"})
    assert page.status_code == 200
    assert page.context["form"].errors["quarter"]
    csv_url = reverse("outcomes:returns_csv")
    assert client_for("coordinator").get(csv_url, {"quarter": "x" * 5000}).status_code == 200
    # A NUL is refused for the whole site before any view (mend.core.middleware).
    assert client_for("coordinator").get(csv_url, {"quarter": "2026-Q4\x00"}).status_code == 400


def test_a_coordinator_sees_exact_figures_each_with_its_rule_and_records(
    served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    client = client_for("coordinator")
    shown = figures_on_page(client)
    assert shown["voca_served"] == "6"
    assert shown["victims_engaged"] == "2"
    assert shown["yj_consented"] == "6"
    assert shown["yj_engagement_ratio"] == "33.3%"
    page = client.get(url("outcomes:returns")).content.decode()
    assert "counts once in a quarter" in page
    assert url("outcomes:return_records", "victims_engaged").replace("?", "?", 1) in page.replace(
        "&amp;", "&"
    )


def test_the_drill_down_lists_exactly_the_people_counted(
    served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    client = client_for("coordinator")
    page = client.get(url("outcomes:return_records", "victims_engaged"))
    assert page.status_code == 200
    listed = {row["given_name"] for row in page.context["page"]}
    assert listed == {"Victim0", "Victim1"}
    text = page.content.decode()
    for harmed in served[:2]:
        assert f'href="/cases/{harmed.case.reference}/"' in text
    assert f'href="/cases/{served[2].case.reference}/"' not in text
    assert "1 December 2026" in text or "Dec. 1, 2026" in text
    cell = client.get(url("outcomes:return_records", "voca_new.age_band.25_59"))
    assert len(cell.context["page"].object_list) == 6


def test_an_analyst_sees_small_counts_suppressed_and_no_records(
    served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    client = client_for("analyst")
    shown = figures_on_page(client)
    assert shown["yj_consented"] == "6"
    assert shown["victims_engaged"] == "fewer than 5"
    assert shown["pcc_direct"] == "fewer than 5"
    assert shown["yj_engagement_ratio"] == "not shown: counts too small"
    assert "/reports/returns/records/" not in client.get(url("outcomes:returns")).content.decode()
    assert client.get(url("outcomes:return_records", "yj_consented")).status_code == 403
    rows = list(
        csv.DictReader(io.StringIO(client.get(url("outcomes:returns_csv")).content.decode()))
    )
    assert {row["code"]: row["value"] for row in rows}["victims_engaged"] == "fewer than 5"


def test_another_program_sees_none_of_our_records_and_an_unknown_figure_is_404(
    served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    client = client_for("outsider")
    page = client.get(url("outcomes:return_records", "voca_served"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
    assert figures_on_page(client)["voca_served"] == "0"
    coordinator = client_for("coordinator")
    for unknown in (
        "nothing",
        "voca_served.age_band.25_59",
        "voca_new.age_band",
        "yj_engagement_ratio",
    ):
        assert coordinator.get(url("outcomes:return_records", unknown)).status_code == 404


def test_the_csv_has_a_row_per_figure_matching_the_page(
    served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    client = client_for("coordinator")
    response = client.get(url("outcomes:returns_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["return", "code", "label", "value", "definition", "period"]
    shown = figures_on_page(client)
    assert len(rows) == len(ROW.findall(client.get(url("outcomes:returns")).content.decode()))
    for row in rows:
        assert row["period"] == QUARTER
        assert row["definition"]
        assert row["value"] == shown[row["code"]].rstrip("%"), row["code"]


def test_the_pdf_reads_back_with_the_figures_and_their_definitions(
    world: World, served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get(url("outcomes:returns_pdf"))
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert reader.metadata is not None and "Funder returns" in str(reader.metadata.title)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert world.program.name in text
    assert "Victims served 6" in text
    assert "33.3%" in text
    assert "How it is counted: Each person who is a harmed party" in text
    assert "not served earlier in the same US federal fiscal year" in text


def test_the_pdf_is_in_the_reader_language(
    world: World, served: list[Participant], client_for: Callable[[str], Client]
) -> None:
    User.objects.filter(pk=world["coordinator"].pk).update(preferred_language="es")
    response = client_for("coordinator").get(url("outcomes:returns_pdf"))
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "es"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Víctimas atendidas" in " ".join(text.split())


def test_the_drill_down_of_referrals_and_cases_shows_the_day_they_were_counted_on(
    world: World, client_for: Callable[[str], Client]
) -> None:
    world.program.time_zone = "America/New_York"
    world.program.save(update_fields=["time_zone"])
    case = submit(world)
    # 02:00 UTC on 1 October is 30 September in New York: the third quarter.
    Referral.objects.filter(pk=case.referral_id).update(created_at=r.at(date(2026, 10, 1), 2))
    Case.objects.filter(pk=case.pk).update(
        stage="closed",
        outcome=Outcome.COMPLETED_WITH_AGREEMENT,
        closed_at=r.at(date(2026, 10, 1), 2),
    )
    client = client_for("coordinator")
    for code in ("referrals", "pcc_completed"):
        page = client.get(url("outcomes:return_records", code, quarter="2026-Q3"))
        rows = list(page.context["page"])
        assert [(row["case_reference"], row["counted_on"]) for row in rows] == [
            (case.reference, date(2026, 9, 30))
        ]
        assert not client.get(url("outcomes:return_records", code)).context["page"].object_list


def test_the_drill_down_is_paginated_and_keeps_the_quarter(
    world: World, client_for: Callable[[str], Client]
) -> None:
    case = submit(world)
    for number in range(51):
        person = Person.objects.create(
            program=world.program, given_name=f"P{number}", family_name="X"
        )
        r.offer(r.harmed_in(case, person), date(2026, 10, 1))
    client = client_for("coordinator")
    first = client.get(url("outcomes:return_records", "pcc_offered"))
    assert len(first.context["page"].object_list) == 50
    assert "?quarter=2026-Q4&amp;page=2" in first.content.decode()
    second = client.get(url("outcomes:return_records", "pcc_offered") + "&page=2")
    assert len(second.context["page"].object_list) == 1
    assert second.context["value"] == 51

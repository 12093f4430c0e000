"""Forms in a real browser: Enter sends them, failed submits are summarised with focus on
the summary and links into the fields, and date fields keep their values in Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from mend.accounts.models import User
from mend.cases.models import Case
from mend.cases.services import move_case
from mend.cases.stages import Stage
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.cases import submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.browser


@pytest.fixture
def open_as(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    contexts: list[Any] = []

    def start(persona: str, language: str = "en") -> Any:
        User.objects.filter(pk=world[persona].pk).update(preferred_language=language)
        context = signed_in_context(browser, live_server.url, world[persona])
        contexts.append(context)
        return context.new_page()

    yield start
    for context in contexts:
        context.close()


def focused(page: Any, attribute: str = "id") -> str:
    return str(page.evaluate(f"document.activeElement.getAttribute('{attribute}') || ''"))


def test_enter_in_a_text_field_sends_the_referral(
    open_as: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    page = open_as("coordinator")
    page.goto(f"{live_server.url}{reverse('cases:new_referral')}")
    page.get_by_label("Referrer's name").fill("Casey Coordinator")
    page.get_by_label("Incident or crime reference").fill("ENTER/2026/1")
    page.get_by_label("Date of the incident").fill(timezone.localdate().isoformat())
    page.get_by_label("Offence category").select_option(label="Theft or shoplifting")
    harmed = page.locator("#harmed-1")
    harmed.get_by_label("Given name").fill("Hana")
    harmed.get_by_label("Family name").fill("Harmed")
    responsible = page.locator("#responsible-1")
    responsible.get_by_label("Given name").fill("Rory")
    responsible.get_by_label("Family name").fill("Responsible")
    # Enter in a text field near the top, with "Add another harmed party" before "Send".
    page.get_by_label("Incident or crime reference").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Referral received.")
    case = Case.objects.get(referral__incident_reference="ENTER/2026/1")
    assert case.participants.count() == 2
    expect(page).to_have_url(re.compile(re.escape(case.get_absolute_url()) + "$"))


def test_the_error_summary_takes_focus_and_links_to_each_field(
    open_as: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    page = open_as("coordinator")
    page.goto(f"{live_server.url}{reverse('cases:new_referral')}")
    page.get_by_label("Referrer's name").fill("")
    page.locator("#harmed-1").get_by_label("Given name").fill("Hana")
    page.get_by_role("button", name="Send the referral").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert page.title().startswith("Error: ")
    screenshot(page, "forms-error-summary")
    summary.get_by_role("link", name="Incident or crime reference: This field is required.").click()
    assert focused(page) == "id_incident_reference"
    summary.get_by_role("link", name="Referrer's name: This field is required.").click()
    assert focused(page) == "id_referrer_name"
    # A field of the harmed party's own form says which party it belongs to.
    summary.get_by_role("link", name=re.compile(r"^Harmed party 1, Family name: ")).click()
    assert focused(page) == "id_harmed-0-family_name"

    # A radio group's link reaches its first radio, with the group's legend in view.
    case = submit(world)
    move_case(case=case, to=Stage.SCREENING, by=world["coordinator"], expected_version=None)
    page.goto(f"{live_server.url}{reverse('cases:action', args=[case.reference, 'eligibility'])}")
    page.locator("main form").get_by_role("button").last.click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    radio_link = summary.locator("a[href$='_0']").first
    target = str(radio_link.get_attribute("href"))[1:]
    radio_link.click()
    assert focused(page) == target
    assert page.evaluate("document.activeElement.type") == "radio"
    legend = page.locator(f"fieldset:has(#{target}) legend")
    expect(legend).to_be_in_viewport()


def test_spanish_date_fields_are_prefilled_with_today(
    open_as: Any, live_server: Any, world: World
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    page = open_as("coordinator", language="es")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == "es"
    actions = []
    for href in page.locator("main a[href]").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    ):
        try:
            if resolve(urlsplit(href).path).view_name == "cases:action":
                actions.append(href)
        except Resolver404:
            continue
    today = timezone.localdate().isoformat()
    prefilled = []
    for href in actions:
        page.goto(f"{live_server.url}{href}")
        for field in page.locator("input[type=date]").all():
            # The browser drops a value it cannot read: what the server sent must survive.
            sent = field.get_attribute("value")
            assert field.input_value() == (sent or ""), f"{href}: {sent!r} was dropped"
            if sent == today:
                prefilled.append(href)
    assert prefilled, f"no date field defaulted to today on {actions}"
    screenshot(page, "forms-spanish-date")

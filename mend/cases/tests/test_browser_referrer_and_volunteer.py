"""The officer and the volunteer in a real browser.

An officer on a phone files a referral, finds it again among their referrals and adds to it,
seeing only what they sent. A volunteer asked to make contact reaches their cases from the
dashboard, sees the phone number of the person they are to call, and records the call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, Participant, ReferralMessage
from mend.cases.stages import Stage
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.cases import CANARY_PHONE, parties, submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_as(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    contexts: list[Any] = []

    def start(persona: str, **options: Any) -> Any:
        context = signed_in_context(browser, live_server.url, world[persona], **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url)
        return page

    yield start
    for context in contexts:
        context.close()


def test_an_officer_on_a_phone_files_follows_and_adds_to_a_referral(
    open_as: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    page = open_as("referrer", viewport=PHONE, is_mobile=True, has_touch=True)
    # On a phone the main navigation sits behind the menu button.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New referral").click()
    page.get_by_label("Incident or crime reference").fill("PH/2026/0042")
    page.get_by_label("Date of the incident").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_label("Offence category").select_option(label="Theft or shoplifting")
    page.get_by_label("What happened").fill("A phone was taken at the bus stop.")
    harmed = page.locator("#harmed-1")
    harmed.get_by_label("Given name").fill("Hana")
    harmed.get_by_label("Family name").fill("Harmed")
    harmed.get_by_label("Phone").fill(CANARY_PHONE)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral received.")
    case = Case.objects.get(referral__incident_reference="PH/2026/0042")

    # The program adds someone and screens the case: none of that is the officer's to see.
    services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Sasha", family_name="Supporter"),
        role=Participant.Role.SUPPORTER,
        supports=parties(case, Participant.Role.HARMED)[0],
        by=world["coordinator"],
        expected_version=None,
    )

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My referrals").click()
    page.get_by_label("Incident or crime reference").fill("PH/2026")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=case.reference).click()
    sent = page.locator("#what-you-sent")
    expect(sent).to_contain_text("A phone was taken at the bus stop.")
    expect(sent).to_contain_text("Hana Harmed")
    expect(page.locator("main")).not_to_contain_text("Sasha Supporter")
    expect(page.locator("main")).not_to_contain_text(CANARY_PHONE)

    page.get_by_label("What would you like to add?").fill("The harmed party moved; call me first.")
    page.get_by_role("button", name="Send to the program").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("#added")).to_contain_text("call me first")
    screenshot(page, "referrer-phone-added")
    assert ReferralMessage.objects.filter(referral=case.referral).count() == 1
    # No sideways scrolling on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_volunteer_reaches_their_cases_and_the_phone_number_they_are_to_call(
    open_as: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    case = to_stage(world, submit(world), Stage.CONTACT)
    # More cases than the dashboard panel shows, so the volunteer needs its "See all".
    for each in [case, *(submit(world) for _ in range(10))]:
        services.assign_team(
            case=each,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[world["volunteer"]],
            by=world["coordinator"],
            expected_version=None,
        )
    harmed = parties(case, Participant.Role.HARMED)[0]

    # The coordinator asks the volunteer to contact the harmed party, from the person's card.
    coordinator = open_as("coordinator")
    coordinator.goto(f"{live_server.url}{case.get_absolute_url()}")
    name = f"Ask a volunteer to make contact: {harmed.person}"
    coordinator.locator(".mend-person").get_by_role("link", name=name, exact=True).click()
    coordinator.get_by_label("Volunteer").select_option(label=world["volunteer"].display_name)
    coordinator.get_by_role("button", name="Ask a volunteer to make contact").click()
    expect(coordinator.get_by_role("status")).to_be_visible()

    page = open_as("volunteer")
    panel = page.get_by_role("region", name=re.compile("^My cases"))
    panel.get_by_role("link", name="See all 11").click()
    expect(page.locator("main")).to_contain_text("11 cases")
    page.get_by_role("link", name=case.reference).click()
    card = page.locator(".mend-person").filter(has_text=str(harmed.person))
    expect(card).to_contain_text(CANARY_PHONE)
    card.get_by_role("link", name=f"Record a contact attempt: {harmed.person}").click()
    form = page.locator("main form")
    form.get_by_label("How").select_option(label="Phone call")
    form.get_by_label("What happened").select_option(index=1)
    form.get_by_label(re.compile("^Note")).fill("Left a message.")
    form.get_by_role("button", name="Record a contact attempt").click()
    expect(page.get_by_role("status")).to_be_visible()
    screenshot(page, "volunteer-contact-recorded")
    assert case.notes.filter(kind="contact", author=world["volunteer"]).count() == 1

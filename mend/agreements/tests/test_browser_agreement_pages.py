"""An agreement in a real browser: drafted from the conference record in a few clicks, a
restitution term added with its own fields shown for its kind only, every party's
agreement recorded; and every page of it, with and without errors, in both languages and
at both widths, without an axe violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from mend.accounts.models import User
from mend.agreements import services
from mend.agreements.models import Agreement
from mend.cases.models import Participant
from mend.cases.tests.test_browser_case_flow import sign_in
from mend.processes import record_services
from mend.processes.models import Meeting
from mend.processes.record_services import ConferenceDetails
from mend.testing.agreements import agreement_case, binding
from mend.testing.axe import axe_violations, describe
from mend.testing.cases import parties
from mend.testing.personas import World

pytestmark = pytest.mark.browser


def _click(page: Any, label: str) -> None:
    """USWDS draws radios and checkboxes on their labels: a person clicks the label."""
    page.locator("main form label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()


def _checked(page: Any, found: list[str], label: str, turn: int) -> None:
    """Call it only once the page has arrived: a reload mid-navigation fails."""
    language, width = ("en", "es")[turn % 2], (1280, 390)[(turn // 2) % 2]
    user = User.objects.get(username="facilitator")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.url}]
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    found += [f"{label} ({language}, {width} px): {f}" for f in describe(axe_violations(page))]
    User.objects.filter(pk=user.pk).update(preferred_language="en")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()


def test_drafting_adding_a_term_and_agreeing_in_the_browser_without_axe_violations(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    case = agreement_case(world, responsible=2)
    meeting = case.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
    record_services.record_conference(
        case=case,
        meeting=meeting,
        details=ConferenceDetails(obligations="Repair the fence.\nSay sorry in person."),
        by=world["facilitator"],
        expected_version=None,
    )
    first = parties(case, Participant.Role.RESPONSIBLE)[0]
    found: list[str] = []
    sign_in(page, live_server.url, "facilitator")
    page.goto(live_server.url + case.get_absolute_url())
    _checked(page, found, "case page", 0)
    page.locator("#agreements").get_by_role("link", name="Draft an agreement").click()
    expect(page.get_by_label("What was agreed in term 1")).to_have_value("Repair the fence.")
    _checked(page, found, "draft", 1)
    page.get_by_role("button", name="Draft the agreement").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    _checked(page, found, "draft with errors", 2)
    _click(page, str(first.person))
    _click(page, "Keep term 2")
    page.get_by_role("button", name="Draft the agreement").click()
    expect(page.locator("#agreement-terms")).to_contain_text("Repair the fence.")
    expect(page.locator("#agreement-terms")).not_to_contain_text("Say sorry in person.")
    _checked(page, found, "agreement page", 3)

    page.get_by_role("link", name="Add a term").click()
    amount = page.get_by_label("Amount")
    hours = page.get_by_label("Hours of service")
    expect(amount).to_be_hidden()
    page.get_by_label("Kind of term").select_option("restitution")
    expect(amount).to_be_visible()
    expect(hours).to_be_hidden()
    _checked(page, found, "add a term", 4)
    page.get_by_label("Kind of term").select_option("restitution")
    page.get_by_label("What was agreed").fill("Pay for the paint.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter an amount")
    expect(page.get_by_label("Amount")).to_be_visible()
    _checked(page, found, "add a term with errors", 5)
    page.get_by_label("Amount").fill("45.00")
    harmed = parties(case, Participant.Role.HARMED)[0]
    page.get_by_label("Whom it serves").select_option(label=str(harmed.person))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#agreement-terms")).to_contain_text("45.00 USD")

    agreement = Agreement.objects.get(case=case, responsible=first)
    term = agreement.terms.first()
    for name, args, label in (
        ("agreements:change_term", [term.pk], "change a term"),
        ("agreements:remove_term", [term.pk], "remove a term"),
    ):
        page.goto(live_server.url + reverse(name, args=[case.reference, agreement.pk, *args]))
        _checked(page, found, label, 6)

    page.goto(
        live_server.url + reverse("agreements:agreement", args=[case.reference, agreement.pk])
    )
    page.get_by_role("link", name="Record a party's agreement").click()
    expect(page.get_by_label("Their name, typed by them")).to_be_hidden()
    _checked(page, found, "record agreement", 7)
    page.get_by_role("button", name="Record their agreement").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    _checked(page, found, "record agreement with errors", 8)
    for person in services.signers(agreement):
        _click(page, f"{person.person} ({person.get_role_display()})")
        _click(page, "Signed on screen")
        expect(page.get_by_label("Their name, typed by them")).to_be_visible()
        page.get_by_label("Their name, typed by them").fill(str(person.person))
        page.get_by_role("button", name="Record their agreement").click()
        expect(page.get_by_role("status")).to_contain_text("Their agreement is recorded.")
        if page.get_by_role("link", name="Record a party's agreement").count():
            page.get_by_role("link", name="Record a party's agreement").click()
    expect(page.locator("#agreement-status")).to_have_text("Agreed by every party")

    page.get_by_role("link", name="Reconvene for a new version").click()
    expect(page.get_by_role("button", name="Draft the new version")).to_be_visible()
    _checked(page, found, "reconvene", 9)
    page.get_by_role("button", name="Draft the new version").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    _checked(page, found, "reconvene with errors", 10)
    assert found == [], "\n".join(found)


def test_a_binding_agreement_page_has_no_axe_violations(
    live_server: Any, page: Any, world: World
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case)
    sign_in(page, live_server.url, "facilitator")
    page.goto(
        live_server.url + reverse("agreements:agreement", args=[case.reference, agreement.pk])
    )
    found: list[str] = []
    _checked(page, found, "binding agreement", 1)
    assert found == [], "\n".join(found)

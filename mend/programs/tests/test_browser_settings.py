"""The administrator changes what the program offers with checkboxes, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from mend.programs.models import ConsentPurpose, ProcessType, Program
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.personas import World

pytestmark = pytest.mark.browser

DIRECT = [
    "Victim-offender mediation",
    "Restorative conference",
    "Restorative circle",
    "Community panel",
    "Police-community process",
]


def untick(page: Any, label: str) -> None:
    """USWDS draws the checkbox on its label and moves the real one off-screen: a person
    (and this test) clicks the label; the box found by that label must then be clear."""
    from playwright.sync_api import expect

    page.locator("label.usa-checkbox__label").filter(
        has_text=re.compile(f"^{re.escape(label)}$")
    ).click()
    expect(page.get_by_label(label, exact=True)).not_to_be_checked()


@pytest.fixture
def admin_page(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    context = signed_in_context(browser, live_server.url, world["program_admin"])
    yield context.new_page()
    context.close()


def test_the_administrator_changes_processes_and_consent_with_checkboxes(
    admin_page: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    page = admin_page
    page.goto(f"{live_server.url}{reverse('programs:settings')}")
    page.get_by_role("link", name="Change consent asked").click()
    untick(page, "To meet face to face")
    page.get_by_role("button", name="Save").click()

    # Refused: the processes where the parties meet need that consent.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("need the consent “To meet face to face”")
    expect(summary).to_contain_text("Victim-offender mediation")
    screenshot(page, "settings-consent-refused")
    assert ConsentPurpose.FACE_TO_FACE in Program.objects.get(pk=world.program.pk).consent_purposes

    # The fix: stop offering those processes first, then stop asking for the consent.
    page.get_by_role("link", name="Back to the program settings").click()
    page.get_by_role("link", name="Change processes offered").click()
    for label in DIRECT:
        untick(page, label)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The settings were saved.")
    page.get_by_role("link", name="Change consent asked").click()
    untick(page, "To meet face to face")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The settings were saved.")

    processes = page.locator("#setting-processes")
    expect(processes).to_contain_text("Shuttle mediation")
    expect(processes).not_to_contain_text("Victim-offender mediation")
    expect(page.locator("#setting-purposes")).not_to_contain_text("To meet face to face")
    screenshot(page, "settings-saved")
    program = Program.objects.get(pk=world.program.pk)
    assert program.process_types == [
        ProcessType.PREPARATION,
        ProcessType.SHUTTLE,
        ProcessType.LETTER_EXCHANGE,
    ]
    assert ConsentPurpose.FACE_TO_FACE not in program.consent_purposes

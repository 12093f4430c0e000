"""At 390 px: the case page says which step of how many, and lists stay readable."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mend.cases.stages import Stage
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.cases import submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_step_indicator_says_step_5_of_7_and_its_name(
    browser: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    case = to_stage(world, submit(world), Stage.PROCESS)
    for viewport, header_shown in ((PHONE, True), ({"width": 1280, "height": 900}, False)):
        context = signed_in_context(
            browser, live_server.url, world["coordinator"], viewport=viewport
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{case.get_absolute_url()}")
        header = page.locator(".usa-step-indicator__heading")
        labels = page.locator(".usa-step-indicator__segment-label")
        if header_shown:
            expect(header).to_be_visible()
            # What a screen reader says, and what shows: "5 of 7 Restorative process".
            spoken = " ".join(str(header.text_content()).split()).replace(" :", ":")
            assert spoken == "Step 5 of 7: Restorative process"
            expect(labels.first).to_be_hidden()
            screenshot(page, "phone-case-step")
        else:
            # On wider screens the step labels themselves show; the header would repeat them.
            expect(header).to_be_hidden()
            expect(labels.nth(4)).to_have_text("Restorative process")
        context.close()


@pytest.mark.parametrize("url_name", ["cases:list", "programs:audit_log"])
def test_on_a_phone_lists_fit_the_screen_with_each_label_beside_its_value(
    url_name: str, browser: Any, live_server: Any, world: World
) -> None:
    for _ in range(3):
        submit(world)
    context = signed_in_context(browser, live_server.url, world["coordinator"], viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse(url_name)}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    cells = page.locator("tbody tr:first-child [data-label]")
    assert cells.count() >= 3
    for cell in cells.all():
        # The label (drawn before the value) sits beside the value, not on a line above it.
        beside = cell.evaluate("cell => getComputedStyle(cell, '::before').float === 'left'")
        assert beside, "stacked cells should put their label beside the value"
        box = cell.bounding_box()
        assert box is not None and box["height"] < 80, f"a cell is {box} tall"
    screenshot(page, f"phone-{url_name.replace(':', '-')}")
    context.close()

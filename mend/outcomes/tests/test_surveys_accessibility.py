"""axe finds nothing on the survey pages in the states the URL table does not reach: the
answer page after a bad submit (the error summary, focused), a link that does not work,
the thank-you page, and the staff's pages after a refusal or with a link made.

(The survey pages each persona may open are checked by mend/core/tests/test_accessibility.py
from the URL table, like every other page.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from mend.core.tests.test_accessibility import Browsing
from mend.testing.personas import World
from mend.testing.surveys import case_in_contact, hand_over, harmed, responsible


@pytest.fixture
def browsing(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    opened: list[Browsing] = []

    def start(persona: str) -> Browsing:
        session = Browsing(browser, live_server.url, world, persona)
        opened.append(session)
        return session

    yield start
    for session in opened:
        session.close()


@pytest.mark.browser
def test_survey_pages_in_every_state_have_no_axe_violations(browsing: Any, world: World) -> None:
    case = case_in_contact(world)
    token = hand_over(world, responsible(case))
    participant = browsing("anonymous")
    url = reverse("outcomes:survey_answer", args=[token])
    for language, width in (("es", 390), ("en", 1280)):
        participant.open(url, language, width)
        # Nothing answered: the one error a browser lets through.
        with participant.page.expect_navigation():
            participant.page.locator("#survey-form button[type=submit]").click()
        summary = participant.page.locator("[data-error-summary]")
        assert summary.count() == 1
        assert summary.evaluate("box => box === document.activeElement")
        participant.check("survey with errors", language, width)
    participant.page.locator("#id_q_hopes").fill("Better than I feared.")
    with participant.page.expect_navigation():
        participant.page.locator("#survey-form button[type=submit]").click()
    assert participant.page.locator("#thanks").count() == 1
    participant.check("survey thanks", "en", 1280)
    participant.open(url, "es", 390, expected=410)
    participant.check("survey used", "es", 390)
    participant.open(reverse("outcomes:survey_answer", args=["nope"]), "en", 1280, expected=404)
    participant.check("survey unknown", "en", 1280)

    staff = browsing("coordinator")
    send = reverse("outcomes:survey_send") + f"?case={case.reference}"
    staff.open(send, "es", 1280)
    staff.page.locator("select[name=participant]").select_option(str(harmed(case).pk))
    staff.page.locator("label[for=id_kind_0]").click()
    with staff.page.expect_navigation():
        staff.page.locator("#send-survey button[type=submit]").click()
    assert staff.page.locator("[data-error-summary]").count() == 1  # already waiting
    staff.check("survey send refused", "es", 1280)
    staff.open(reverse("outcomes:surveys"), "en", 390)
    with staff.page.expect_navigation():
        staff.page.locator("form[action*='/link/'] button").first.click()
    assert staff.page.locator("#survey-url").count() == 1
    staff.check("survey link made", "en", 390)
    assert participant.found + staff.found == [], "\n".join(participant.found + staff.found)

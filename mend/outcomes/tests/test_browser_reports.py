"""The reports pages in a real browser, with a history behind them: a coordinator picks
a quarter and follows a figure to its records; an analyst and the public read suppressed
tables and charts. Every page, in both languages and at both widths, has no axe
violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from mend.accounts.models import User
from mend.cases.tests.test_browser_case_flow import sign_in, sign_out
from mend.outcomes.models import OutcomeSettings
from mend.testing.axe import axe_violations, describe
from mend.testing.outcomes import build_history
from mend.testing.personas import World

pytestmark = pytest.mark.browser


def _checked(page: Any, found: list[str], label: str, turn: int, username: str = "") -> None:
    language, width = ("en", "es")[turn % 2], (1280, 390)[(turn // 2) % 2]
    if username:
        User.objects.filter(username=username).update(preferred_language=language)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.url}]
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    found += [f"{label} ({language}, {width} px): {f}" for f in describe(axe_violations(page))]
    if username:
        User.objects.filter(username=username).update(preferred_language="en")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()


def test_reports_read_in_the_browser_by_a_coordinator_an_analyst_and_the_public(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    build_history(world)
    OutcomeSettings.objects.create(program=world.program, publish_trends=True)
    found: list[str] = []
    sign_in(page, live_server.url, "coordinator")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Quarter", exact=True).select_option("2026-Q1")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile("2026-Q1"))
    _checked(page, found, "reports, coordinator", 0, "coordinator")
    page.locator("#measure-referrals").get_by_role("link").click()
    expect(page.locator("#records tbody tr")).to_have_count(3)
    _checked(page, found, "records", 1, "coordinator")
    sign_out(page)

    sign_in(page, live_server.url, "analyst")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Quarter", exact=True).select_option("2026-Q1")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#measure-referrals")).to_contain_text("fewer than 5")
    expect(page.locator("#measure-referrals a")).to_have_count(0)
    _checked(page, found, "reports, analyst", 2, "analyst")
    _checked(page, found, "reports, analyst", 3, "analyst")
    sign_out(page)

    page.goto(live_server.url + reverse("outcomes:public_trends", args=[world.program.slug]))
    expect(page.locator("h1")).to_contain_text("trends")
    _checked(page, found, "public trends", 0)
    _checked(page, found, "public trends", 3)
    assert not found, "\n".join(found)

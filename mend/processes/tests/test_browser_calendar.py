"""The calendar pages with meetings on them (planned, cancelled, a home visit) have no
axe-core violation, at desktop and phone widths, in English and Spanish; and making a feed
address by clicking shows it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from mend.accounts.models import User
from mend.cases.stages import Stage
from mend.processes import services
from mend.testing.axe import axe_violations, describe
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.cases import submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World

pytestmark = pytest.mark.browser


def test_the_calendar_pages_with_meetings_have_no_axe_violations(
    browser: Any, live_server: Any, world: World
) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    start = timezone.now() + timedelta(days=1)
    plan(world, case, starts_at=start)
    cancelled = plan(world, case, starts_at=start + timedelta(hours=3))
    services.cancel_meeting(
        case=case, meeting=cancelled, reason="staff", by=world["facilitator"], expected_version=None
    )
    context = signed_in_context(browser, live_server.url, world["facilitator"])
    page = context.new_page()
    found: list[str] = []
    week = f"?week={start.date().isoformat()}"
    month = f"?month={start:%Y-%m}"
    visits = [
        (reverse("processes:calendar_week") + week, "en", 1280),
        (reverse("processes:calendar_week") + week, "es", 390),
        (reverse("processes:calendar_month") + month, "es", 1280),
        (reverse("processes:calendar_month") + month, "en", 390),
        (reverse("processes:calendar_week") + "?week=garbage", "en", 390),
        (reverse("processes:calendar_feed"), "es", 390),
    ]
    for path, language, width in visits:
        User.objects.filter(pk=world["facilitator"].pk).update(preferred_language=language)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        found += [f"{path} ({language}, {width}): {f}" for f in describe(axe_violations(page))]
        screenshot(page, f"calendar-{path.split('?')[0].strip('/').replace('/', '-')}-{width}")
    page.goto(live_server.url + reverse("processes:calendar_feed"))
    page.locator("main form button").first.click()
    address = page.locator("#feed-url").inner_text()
    assert address.endswith(".ics")
    found += [f"feed made: {f}" for f in describe(axe_violations(page))]
    context.close()
    assert found == [], "\n".join(found)

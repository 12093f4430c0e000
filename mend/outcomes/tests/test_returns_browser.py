"""A coordinator new to Mend finds this quarter's returns from the menu and has the PDF
in one click; a funder reading it finds how each number was counted."""

from __future__ import annotations

import re
from typing import Any

import pypdf
import pytest

from mend.cases.models import Participant
from mend.outcomes.periods import program_today, quarter_containing
from mend.testing import returns as r
from mend.testing.browser import signed_in_context
from mend.testing.cases import parties, submit
from mend.testing.personas import World


@pytest.mark.browser
def test_a_coordinator_downloads_this_quarters_returns_in_one_click(
    browser: Any, live_server: Any, world: World
) -> None:
    today = program_today(world.program)
    harmed = parties(submit(world), Participant.Role.HARMED)[0]
    r.consent(harmed, today, world["facilitator"])
    context = signed_in_context(browser, live_server.url, world["coordinator"])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_role("link", name="Funder returns").first.click()
        page.wait_for_url(re.compile(r"/reports/returns/$"))
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("^Download the returns for")).click()
        saved = download.value.path()
        reader = pypdf.PdfReader(str(saved))
    finally:
        context.close()
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert quarter_containing(today).label in text
    assert "Victims who consented to be contacted 1" in text
    assert "How it is counted: Each harmed person whose consent to be contacted" in text

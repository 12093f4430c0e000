"""axe finds nothing on the returns pages with figures in them, in both languages and
at both widths (the URL table's own run sees them empty)."""

from __future__ import annotations

from typing import Any

import pytest

from mend.core.tests.test_accessibility import LANGUAGES, WIDTHS, Browsing
from mend.testing.personas import World
from mend.testing.returns import six_consented

PAGES = {
    "coordinator": [
        "/reports/returns/?quarter=2026-Q4",
        "/reports/returns/?quarter=2026-Q9",
        "/reports/returns/records/victims_engaged/?quarter=2026-Q4",
        "/reports/returns/records/voca_new.language.not_recorded/?quarter=2026-Q4",
    ],
    "analyst": ["/reports/returns/?quarter=2026-Q4"],
}


@pytest.mark.browser
@pytest.mark.parametrize("persona", sorted(PAGES))
def test_the_returns_pages_have_no_axe_violations(
    persona: str, browser: Any, live_server: Any, world: World
) -> None:
    six_consented(world)
    session = Browsing(browser, live_server.url, world, persona)
    try:
        for index, path in enumerate(PAGES[persona]):
            for language in LANGUAGES:
                width = WIDTHS[(index + LANGUAGES.index(language)) % 2]
                assert session.open(path, language, width)
                session.check(path, language, width)
    finally:
        session.close()
    assert session.found == [], "\n".join(session.found)

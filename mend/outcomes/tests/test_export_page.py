"""The export page in a browser: no axe violations, and its buttons hand over a zip."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from mend.accounts.models import User
from mend.testing.axe import axe_violations, describe
from mend.testing.browser import signed_in_context
from mend.testing.cases import submit
from mend.testing.personas import World


@pytest.mark.browser
@pytest.mark.parametrize("persona", ["program_admin", "analyst"])
def test_the_export_page_has_no_axe_violations_and_its_button_downloads_a_package(
    persona: str, browser: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    submit(world)
    context = signed_in_context(browser, live_server.url, world[persona], accept_downloads=True)
    try:
        page = context.new_page()
        found = []
        for language in ("en", "es"):
            User.objects.filter(pk=world[persona].pk).update(preferred_language=language)
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            page.goto(f"{live_server.url}{reverse('outcomes:export')}")
            assert page.locator("html").get_attribute("lang") == language
            found += describe(axe_violations(page))
        assert found == [], "\n".join(found)
        buttons = {"program_admin": "#export-full", "analyst": "#export-person-free"}
        assert page.locator("#export-full").count() == (1 if persona == "program_admin" else 0)
        with page.expect_download() as arrived:
            page.click(buttons[persona])
        saved = tmp_path / "export.zip"
        arrived.value.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            assert "datapackage.json" in archive.namelist()
    finally:
        context.close()

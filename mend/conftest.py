"""Shared test fixtures: personas, signed-in clients, and the browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from mend.accounts.models import User
from mend.testing.browser import CHROMIUM_ARGS, chromium_path
from mend.testing.personas import World, build_world

_browser_skips: list[str] = []


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """A request in Spanish leaves Spanish active in the thread; the next test (whichever
    worker runs it) must start from the default language, not inherit it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a folder of each test's own, never to the project's var/."""
    root = tmp_path / "private"
    settings.MEND_PRIVATE_FILES = root
    return root


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def coordinator(world: World) -> User:
    return world["coordinator"]


@pytest.fixture
def facilitator(world: World) -> User:
    return world["facilitator"]


@pytest.fixture
def volunteer(world: World) -> User:
    return world["volunteer"]


@pytest.fixture
def referrer(world: World) -> User:
    return world["referrer"]


@pytest.fixture
def analyst(world: World) -> User:
    return world["analyst"]


@pytest.fixture
def program_admin(world: World) -> User:
    return world["program_admin"]


@pytest.fixture
def outsider(world: World) -> User:
    return world["outsider"]


@pytest.fixture
def client_for(world: World) -> Callable[[str], Client]:
    """A client signed in as the named persona (force_login: no password step)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(world[persona])
        return client

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = (
            "Chromium was not found (looked for MEND_CHROMIUM, /usr/bin/chromium). "
            "Install Debian's 'chromium' package to run the browser tests."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        _browser_skips.append(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself (not by the server thread) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _browser_skips:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(_browser_skips[0])

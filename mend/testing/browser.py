"""Launching Debian's Chromium for Playwright. Never downloads a browser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> Path | None:
    candidates = [
        os.environ.get("MEND_CHROMIUM", ""),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot when MEND_SCREENSHOTS names a folder (to look at later)."""
    folder = os.environ.get("MEND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def signed_in_context(browser: Any, base_url: str, user: Any, **options: Any) -> Any:
    """A new browser context already signed in as `user`, through a real session cookie
    (Django's force_login): no password step, so tests spend their time on the pages."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    return context

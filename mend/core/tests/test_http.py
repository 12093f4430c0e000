"""Site-wide HTTP behaviour: health check, security headers, error pages, body limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from mend.testing.personas import World

ROOT = Path(settings.BASE_DIR)


def test_healthz_answers_200_when_the_database_is_reachable(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable() -> None:
    # A real process whose database is a closed port: nothing is faked.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere?connect_timeout=2",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "unavailable"}


def test_pages_send_a_strict_content_security_policy(db: None) -> None:
    response = Client().get(reverse("accounts:sign_in"))
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_send_nosniff_referrer_policy_and_frame_denial(db: None) -> None:
    response = Client().get(reverse("accounts:sign_in"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_are_never_cached(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get(reverse("programs:dashboard"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_no_inline_scripts_or_styles_in_the_shell(
    world: World, client_for: Callable[[str], Client]
) -> None:
    body = client_for("coordinator").get(reverse("programs:dashboard")).content.decode()
    assert "<script>" not in body  # every script has a src
    assert "style=" not in body
    assert "<style" not in body


def test_unknown_url_gives_the_friendly_404_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.urls("mend.core.tests.urls_boom")
@override_settings(DEBUG=False)
def test_server_error_page_shows_no_traceback(db: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internal detail" not in body
    assert "Traceback" not in body


def test_oversized_request_body_is_refused_before_it_is_read(world: World) -> None:
    client = Client()
    big = "x" * (settings.MEND_MAX_REQUEST_BYTES + 1)
    response = client.post(
        reverse("accounts:sign_in"), data=big, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "Too much was sent" in response.content.decode()


def test_csrf_failure_gives_a_friendly_page_and_changes_nothing(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["coordinator"])
    response = client.post(reverse("accounts:set_language"), {"language": "es"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    world["coordinator"].refresh_from_db()
    assert world["coordinator"].preferred_language == "en"


def test_demo_banner_shows_on_every_page_in_demo_mode(
    world: World, client_for: Callable[[str], Client]
) -> None:
    with override_settings(DEMO_MODE=True):
        assert "Demo mode." in Client().get(reverse("accounts:sign_in")).content.decode()
        body = client_for("coordinator").get(reverse("programs:dashboard")).content.decode()
        assert "Demo mode." in body
    assert "Demo mode." not in Client().get(reverse("accounts:sign_in")).content.decode()


def test_collectstatic_with_the_production_storage_succeeds(tmp_path: Path) -> None:
    from django.core.management import call_command

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "mend.core.storage.MendStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert list(tmp_path.glob("vendor/uswds/css/uswds.min.*.css"))
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_a_content_length_that_is_not_a_length_is_a_400_not_a_500(
    world: World, length: str
) -> None:
    client = Client(raise_request_exception=False)
    for path in (reverse("accounts:sign_in"), "/api/v1/referrals"):
        response = client.post(
            path,
            data="username=x",
            content_type="application/x-www-form-urlencoded",
            CONTENT_LENGTH=length,
        )
        assert response.status_code == 400, f"{path} with Content-Length {length!r}"
    api = client.post(
        "/api/v1/referrals", data="{}", content_type="application/json", CONTENT_LENGTH=length
    )
    assert "Content-Length" in api.json()["errors"][0]["message"]


def test_a_nul_in_a_path_or_a_query_is_a_clean_400_on_every_page(world: World) -> None:
    # PostgreSQL refuses a NUL in a query, so a view filtering on such a value would fail.
    client = Client()
    client.force_login(world["coordinator"])
    figure = reverse("outcomes:return_records", args=["voca_new.language.en"])
    for url in (
        reverse("outcomes:records", args=["referrals"]) + "?by=area&value=a%00b",
        figure.replace(".en", ".e%00n") + "?quarter=2026-Q1",
        reverse("cases:list") + "?q=%00",
        reverse("cases:list") + "?status%00=open",
        "/api/v1/referrals/%00/",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert b"Traceback" not in response.content
    assert client.get(reverse("cases:list") + "?q=ordinary").status_code == 200

"""Sessions end: after 30 idle minutes, after 12 hours, at sign-out, at deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from mend.accounts import services
from mend.accounts.models import UserSession
from mend.core.models import AuditEvent
from mend.testing.personas import PASSWORD, World

PROFILE = reverse("accounts:profile")


def signed_in_client(username: str) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:sign_in"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_idle_session_ends_after_30_minutes(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client("coordinator")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(PROFILE).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(PROFILE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
        assert client.get(PROFILE).status_code == 302
    assert AuditEvent.objects.filter(action="auth.session_expired").exists()


def test_activity_keeps_the_session_alive_up_to_12_hours(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client("coordinator")
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(PROFILE).status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get(PROFILE).status_code == 302


def test_sign_out_flushes_the_session_and_the_old_cookie_is_useless(world: World) -> None:
    client = signed_in_client("coordinator")
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 302
    assert "cache" in response["Clear-Site-Data"]
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get(PROFILE).status_code == 302
    assert AuditEvent.objects.filter(action="auth.signed_out").exists()


def test_deactivating_a_user_ends_their_sessions(world: World) -> None:
    client = signed_in_client("facilitator")
    assert client.get(PROFILE).status_code == 200
    services.deactivate_user(user=world["facilitator"], by=world["program_admin"])
    assert client.get(PROFILE).status_code == 302
    assert not UserSession.objects.filter(user=world["facilitator"]).exists()
    assert AuditEvent.objects.filter(action="account.deactivated").exists()
    refused = Client().post(
        reverse("accounts:sign_in"), {"username": "facilitator", "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_changing_password_ends_other_sessions_but_not_this_one(world: World) -> None:
    laptop = signed_in_client("coordinator")
    phone = signed_in_client("coordinator")
    new = "a much longer new passphrase"
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert laptop.get(PROFILE).status_code == 200
    assert phone.get(PROFILE).status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_password_change_shows_field_errors_and_changes_nothing(world: World) -> None:
    client = signed_in_client("coordinator")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "usa-error-message" in body
    assert 'aria-invalid="true"' in body
    world["coordinator"].refresh_from_db()
    assert world["coordinator"].check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short1", False),  # under 12 characters
        ("elevenchars", False),
        ("password1234", False),  # common
        ("123456789012", False),  # all digits
        ("correct horse battery staple", True),  # long, no composition rules needed
        ("x" * 64 + " a long passphrase", True),  # 64+ characters allowed
        ("y" * 300, False),  # absurd length refused
    ],
)
def test_password_rules(password: str, accepted: bool) -> None:
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2id() -> None:
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)


def test_production_hasher_list_starts_with_argon2() -> None:
    # Tests put a fast hasher first; the real list (after it) must lead with Argon2.
    real = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert real[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_superuser_deactivating_an_account_in_the_admin_ends_its_sessions(world: World) -> None:
    from mend.accounts.models import User

    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    victim = signed_in_client("volunteer")
    admin_client = Client()
    admin_client.force_login(root)
    with override_settings(DEMO_MODE=True):  # superusers need MFA outside demo mode
        response = admin_client.post(
            f"/admin/accounts/user/{world['volunteer'].pk}/change/",
            {"username": "volunteer", "full_name": "Volunteer", "preferred_language": "en"},
        )
    assert response.status_code == 302
    world["volunteer"].refresh_from_db()
    assert not world["volunteer"].is_active
    assert victim.get(PROFILE).status_code == 302
    assert AuditEvent.objects.filter(action="account.deactivated", actor=root).exists()

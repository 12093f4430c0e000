"""Signing in: password, then the second factor; lockout; no user enumeration."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mend.accounts import services
from mend.accounts.models import User
from mend.core.models import AuditEvent
from mend.programs.models import Program
from mend.testing.personas import PASSWORD, World

SIGN_IN = reverse("accounts:sign_in")


def post_password(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post(SIGN_IN, {"username": username, "password": password})


def enrol(user: User) -> TOTPDevice:
    device = services.start_totp_enrolment(user=user)
    codes = services.confirm_totp_enrolment(
        user=user, device=device, token=current_code(device), by=user
    )
    assert codes is not None
    device.refresh_from_db()
    return device


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


def test_sign_in_without_mfa_requirement_needs_only_the_password(world: World) -> None:
    client = Client()
    response = post_password(client, "coordinator")
    assert response.status_code == 302
    assert is_signed_in(client)
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=world["coordinator"]).exists()


def test_wrong_password_and_unknown_user_get_the_same_message(world: World) -> None:
    wrong = post_password(Client(), "coordinator", "not the password at all")
    unknown = post_password(Client(), "nobody-by-this-name", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    message = "That username and password do not match."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    # Strip the CSRF token; the rest of the page must be identical.
    strip = lambda body: body.decode().split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(wrong.content) == strip(unknown.content)


def test_failed_sign_in_is_audited_without_the_password(world: World) -> None:
    post_password(Client(), "coordinator", "secret-guess-123")
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.actor_label == "coordinator"
    assert "secret-guess-123" not in str(event.details)


def test_a_password_alone_gives_no_session_when_mfa_is_enrolled(world: World) -> None:
    enrol(world["facilitator"])
    client = Client()
    response = post_password(client, "facilitator")
    assert response["Location"] == reverse("accounts:sign_in_code")
    assert not is_signed_in(client)
    assert client.get(reverse("programs:dashboard")).status_code == 302


def test_a_password_alone_gives_no_session_when_the_program_requires_mfa(world: World) -> None:
    Program.objects.filter(pk=world.program.pk).update(require_mfa=True)
    client = Client()
    response = post_password(client, "volunteer")
    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert not is_signed_in(client)


def test_mfa_required_user_enrols_then_is_signed_in_with_recovery_codes(world: World) -> None:
    Program.objects.filter(pk=world.program.pk).update(require_mfa=True)
    client = Client()
    post_password(client, "volunteer")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=world["volunteer"], confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert response["Location"] == reverse("accounts:recovery_codes")
    codes_page = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert codes_page.count("<li>") >= 10
    assert is_signed_in(client)
    assert AuditEvent.objects.filter(action="mfa.enrolled", object_id=str(world["volunteer"].pk))
    # Shown once only.
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert "Make new recovery codes" in again


def test_enrolled_user_signs_in_with_a_code(world: World) -> None:
    device = enrol(world["facilitator"])
    client = Client()
    post_password(client, "facilitator")
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        response = client.post(reverse("accounts:sign_in_code"), {"code": current_code(device)})
        assert response.status_code == 302
        assert is_signed_in(client)


def test_totp_code_works_once_only(world: World) -> None:
    device = enrol(world["facilitator"])
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        code = current_code(device)
        first, second = Client(), Client()
        post_password(first, "facilitator")
        first.post(reverse("accounts:sign_in_code"), {"code": code})
        assert is_signed_in(first)
        post_password(second, "facilitator")
        replay = second.post(reverse("accounts:sign_in_code"), {"code": code})
        assert replay.status_code == 400
        assert not is_signed_in(second)


def test_totp_code_expires_after_its_30_second_step(world: World) -> None:
    device = enrol(world["facilitator"])
    start = (int(timezone.now().timestamp()) // 30 + 2) * 30  # a fresh step boundary
    old_code = current_code(device, at=start)
    with time_machine.travel(start + 31, tick=False):
        client = Client()
        post_password(client, "facilitator")
        response = client.post(reverse("accounts:sign_in_code"), {"code": old_code})
        assert response.status_code == 400
        assert not is_signed_in(client)
        assert AuditEvent.objects.filter(action="auth.second_factor_failed").exists()


def test_recovery_code_signs_in_once(world: World) -> None:
    user = world["facilitator"]
    enrol(user)
    code = services.regenerate_recovery_codes(user=user)[0]
    client = Client()
    post_password(client, "facilitator")
    client.post(reverse("accounts:sign_in_code"), {"code": code})
    assert is_signed_in(client)
    other = Client()
    post_password(other, "facilitator")
    assert other.post(reverse("accounts:sign_in_code"), {"code": code}).status_code == 400


def test_five_failures_lock_the_account_for_ten_minutes(world: World) -> None:
    client = Client()
    for _ in range(5):
        post_password(client, "coordinator", "wrong password here")
    locked = post_password(Client(), "coordinator")  # right password, new browser
    assert locked.status_code == 429
    assert "sign-in is paused for 10 minutes" in locked.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=5)):
        client = Client()
        assert post_password(client, "coordinator").status_code == 302
        assert is_signed_in(client)


def test_lockout_looks_the_same_for_unknown_usernames(world: World) -> None:
    for _ in range(5):
        post_password(Client(), "ghost", "wrong password here")
    response = post_password(Client(), "ghost", "wrong password here")
    assert response.status_code == 429


def test_success_resets_the_failure_count(world: World) -> None:
    for _ in range(4):
        post_password(Client(), "coordinator", "wrong password here")
    assert post_password(Client(), "coordinator").status_code == 302
    for _ in range(4):
        post_password(Client(), "coordinator", "wrong password here")
    assert post_password(Client(), "coordinator").status_code == 302


def test_session_key_rotates_at_sign_in(world: World) -> None:
    client = Client()
    client.get(SIGN_IN)
    session = client.session
    session["warm"] = True
    session.save()
    before = client.session.session_key
    post_password(client, "coordinator")
    assert client.session.session_key != before


def test_next_parameter_cannot_send_you_to_another_site(world: World) -> None:
    response = Client().post(
        SIGN_IN + "?next=https://evil.example/", {"username": "coordinator", "password": PASSWORD}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("username", ["coordinator\r\nFAKE 200 admin", "tab\tname"])
def test_control_characters_in_usernames_are_logged_escaped(world: World, username: str) -> None:
    post_password(Client(), username, "wrong password here")
    label = AuditEvent.objects.get(action="auth.sign_in_failed").actor_label
    assert "\n" not in label and "\r" not in label and "\t" not in label

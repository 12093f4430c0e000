"""Every write about accounts: signing in and out, two-factor devices, passwords, languages.

Each verb writes its audit row in the same transaction as its change.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mend.accounts.models import User, UserSession
from mend.core import audit, refusals
from mend.core.models import AuditEvent
from mend.core.refusals import Tally, client_address

RECOVERY_CODE_COUNT = 10
# Seconds a password-only sign-in may wait for its second factor.
PENDING_SIGN_IN_SECONDS = 300
PENDING_USER_KEY = "mend_pending_user"
PENDING_AT_KEY = "mend_pending_at"
SIGNED_IN_AT_KEY = "mend_signed_in_at"
LAST_SEEN_KEY = "mend_last_seen"


SIGN_IN_REFUSAL = "auth.sign_in_failed"


def record_failed_sign_in(*, request: HttpRequest, username: str, locked_out: bool) -> Tally:
    """Audit a failed sign-in and count it against the address's limit.

    A failure for a real account is always recorded: it belongs to that account's trail.
    Made-up usernames are folded: the first from an address in a window is recorded, the
    rest are counted (mend.core.refusals), so nobody can flood the trail.
    """
    address = client_address(request)
    tally = refusals.count_refusal(kind=SIGN_IN_REFUSAL, address=address)
    user = User.objects.filter(username=username).first()
    if user is not None or tally.first:
        audit.record(
            actor=None,
            actor_label=username,
            action="auth.locked_out" if locked_out else "auth.sign_in_failed",
            obj=user,
            outcome=AuditEvent.Outcome.DENIED,
            ip=address,
        )
    return tally


def begin_second_factor(*, request: HttpRequest, user: User) -> None:
    """Remember who passed the password step, without signing them in yet."""
    request.session.cycle_key()
    request.session[PENDING_USER_KEY] = user.pk
    request.session[PENDING_AT_KEY] = timezone.now().timestamp()


def pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER_KEY)
    started = request.session.get(PENDING_AT_KEY, 0)
    if user_id is None or timezone.now().timestamp() - started > PENDING_SIGN_IN_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


@transaction.atomic
def complete_sign_in(*, request: HttpRequest, user: User, device: Device | None) -> None:
    """Sign the user in: a new session key, the device that verified them, and an audit row."""
    request.session.pop(PENDING_USER_KEY, None)
    request.session.pop(PENDING_AT_KEY, None)
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session.save()
    assert request.session.session_key is not None
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )
    audit.record(
        actor=user,
        action="auth.signed_in",
        obj=user,
        ip=client_address(request),
        second_factor=type(device).__name__ if device else "none",
    )


@transaction.atomic
def verify_second_factor(*, user: User, token: str, request: HttpRequest) -> Device | None:
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        audit.record(
            actor=None,
            actor_label=user.get_username(),
            action="auth.second_factor_failed",
            obj=user,
            outcome=AuditEvent.Outcome.DENIED,
            ip=client_address(request),
        )
    return device


@transaction.atomic
def sign_out(*, request: HttpRequest, reason: str = "signed_out") -> None:
    user = request.user
    session_key = request.session.session_key
    if user.is_authenticated:
        audit.record(actor=user, action=f"auth.{reason}", obj=user, ip=client_address(request))
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    auth.logout(request)  # flushes the session


# --- Two-factor devices ----------------------------------------------------------------


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user; earlier unconfirmed ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user,
        name="Authenticator app",
        confirmed=False,
        tolerance=settings.MEND_TOTP_TOLERANCE,
    )


def unconfirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


@transaction.atomic
def confirm_totp_enrolment(
    *, user: User, device: TOTPDevice, token: str, by: User | None
) -> list[str] | None:
    """Confirm the authenticator with a code from it. Returns new recovery codes, or None."""
    if device.user_id != user.pk or device.confirmed:
        return None
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    audit.record(actor=by or user, action="mfa.enrolled", obj=user, changed_fields=["totp"])
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    codes = _replace_recovery_codes(user)
    audit.record(
        actor=user, action="mfa.recovery_codes_replaced", obj=user, changed_fields=["recovery"]
    )
    return codes


@transaction.atomic
def remove_two_factor(*, user: User, by: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=by, action="mfa.removed", obj=user, changed_fields=["totp", "recovery"])


# --- Passwords, preferences, deactivation ------------------------------------------------


@transaction.atomic
def change_password(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Set a new password; this session stays signed in, every other one ends."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    auth.update_session_auth_hash(request, user)
    _end_sessions(user, keep=request.session.session_key)
    audit.record(actor=user, action="auth.password_changed", obj=user, changed_fields=["password"])


@transaction.atomic
def set_preferred_language(*, user: User, language: str) -> User:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit.record(
            actor=user,
            action="account.language_changed",
            obj=user,
            changed_fields=["preferred_language"],
        )
    return user


@transaction.atomic
def deactivate_user(*, user: User, by: User | None) -> User:
    """Stop someone signing in, and end every session they hold now."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit.record(actor=by, action="account.deactivated", obj=user, changed_fields=["is_active"])
    return user


def _end_sessions(user: User, keep: str | None = None) -> None:
    held = UserSession.objects.filter(user=user)
    if keep:
        held = held.exclude(session_key=keep)
    keys = list(held.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    held.delete()


def temporary_password() -> str:
    # Four groups of four from an unambiguous alphabet: easy to read out, 80 bits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def reset_password(*, user: User, by: User) -> str:
    """Give a temporary password to be changed at next sign-in. Two-factor stays as it is."""
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _end_sessions(user)
    audit.record(actor=by, action="account.password_reset", obj=user, changed_fields=["password"])
    return password


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    by: User | None,
    full_name: str = "",
    email: str = "",
    preferred_language: str = "en",
    must_change_password: bool = False,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        preferred_language=preferred_language,
        must_change_password=must_change_password,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(actor=by, action="account.created", obj=user)
    return user

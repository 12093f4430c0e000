"""Signing in and out, two-factor set-up, password and language. Rules live in services."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from mend.accounts import services
from mend.accounts.forms import (
    CodeForm,
    ConfirmDeviceForm,
    LanguageForm,
    PasswordChangeForm,
    SignInForm,
)
from mend.accounts.models import User
from mend.accounts.queries import has_mfa, is_verified, mfa_required_for

NEXT_KEY = "mend_next"
RECOVERY_CODES_KEY = "mend_new_recovery_codes"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, request.GET.get("next")))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # No check of the address before the password: colleagues sharing an office's
        # address still sign in with their own right password while someone else's
        # failures there are being held back (each account has its own lockout).
        username = form.cleaned_data["username"]
        user = auth.authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            locked = bool(getattr(request, "axes_locked_out", False))
            tally = services.record_failed_sign_in(
                request=request, username=username, locked_out=locked
            )
            if locked:
                return locked_out(request)
            if tally.wait is not None:
                return too_many_attempts(request, tally.wait)
            # One message whether or not the account exists.
            form.add_error(
                None, _("That username and password do not match. Check both and try again.")
            )
        else:
            assert isinstance(user, User)
            next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
            if has_mfa(user):
                services.begin_second_factor(request=request, user=user)
                request.session[NEXT_KEY] = next_url
                return redirect("accounts:sign_in_code")
            if mfa_required_for(user):
                services.begin_second_factor(request=request, user=user)
                request.session[NEXT_KEY] = next_url
                return redirect("accounts:two_factor_setup")
            services.complete_sign_in(request=request, user=user, device=None)
            return redirect(next_url)
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes shows for a locked account: the same for every username."""
    message = _(
        "Too many unsuccessful attempts. For your security, sign-in is paused for "
        "10 minutes. Try again later or ask your program administrator for help."
    )
    return render(
        request,
        "accounts/sign_in.html",
        {"form": SignInForm(), "next": "", "error_message": message},
        status=429,
    )


def too_many_attempts(request: HttpRequest, wait: int) -> HttpResponse:
    """Too many failed sign-ins from one address (any usernames): wait for the window."""
    minutes = max(1, -(-wait // 60))
    message = ngettext(
        "Too many unsuccessful sign-ins from your network. Try again in %(minutes)d minute.",
        "Too many unsuccessful sign-ins from your network. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(
        request,
        "accounts/sign_in.html",
        {"form": SignInForm(), "next": "", "error_message": message},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = services.pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(
            user=user, token=form.cleaned_data["code"], request=request
        )
        if device is not None:
            next_url = request.session.get(NEXT_KEY, "/")
            services.complete_sign_in(request=request, user=user, device=device)
            return redirect(next_url)
        form.add_error("code", _("That code did not work. Check your app and try again."))
    return render(
        request, "accounts/sign_in_code.html", {"form": form}, status=400 if form.errors else 200
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    user = _signed_in_user(request) if signed_in else services.pending_user(request)
    if user is None:
        return redirect("accounts:sign_in")
    if signed_in and has_mfa(user) and is_verified(request.user):
        return redirect("accounts:two_factor")
    device = services.unconfirmed_totp_device(user) or services.start_totp_enrolment(user=user)
    form = ConfirmDeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_enrolment(
            user=user, device=device, token=form.cleaned_data["code"], by=user
        )
        if codes is not None:
            if signed_in:
                otp_login(request, device)
            else:
                next_url = request.session.get(NEXT_KEY, "/")
                services.complete_sign_in(request=request, user=user, device=device)
                request.session[NEXT_KEY] = next_url
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect("accounts:recovery_codes")
        form.add_error("code", _("That code did not match. Wait for a new code and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": mfa_required_for(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    if request.method == "POST":
        if not is_verified(request.user):
            return redirect("accounts:two_factor_setup")
        codes = services.regenerate_recovery_codes(user=user)
    else:
        codes = request.session.pop(RECOVERY_CODES_KEY, None)
    next_url = request.session.pop(NEXT_KEY, "/") if codes else "/"
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next_url": _safe_next(request, next_url)},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    required = mfa_required_for(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not required and form.is_valid():
        device = services.verify_second_factor(
            user=user, token=form.cleaned_data["code"], request=request
        )
        if device is not None:
            services.remove_two_factor(user=user, by=user)
            messages.success(request, _("Two-factor sign-in is turned off for your account."))
            return redirect("accounts:two_factor")
        form.add_error("code", _("That code did not work. Check your app and try again."))
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "enrolled": has_mfa(user), "required": required},
        status=400 if form.errors else 200,
    )


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            request=request, user=user, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Your password was changed. Other sessions were signed out."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(request=request)
    response = redirect("accounts:sign_in")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        return redirect(next_url)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_preferred_language(user=_signed_in_user(request), language=language)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.SECURE_COOKIES,
        httponly=True,
        samesite="Lax",
    )
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    return render(
        request,
        "accounts/profile.html",
        {"profile_user": user, "enrolled": has_mfa(user), "language_form": LanguageForm()},
    )

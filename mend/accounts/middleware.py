"""Session rules: idle and absolute time limits, required two-factor, the user's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mend.accounts import services
from mend.accounts.queries import is_verified, mfa_required_for

# Paths a signed-in user without a verified second factor may still reach.
_MFA_OPEN_PREFIXES = ("/account/two-factor/", "/account/sign-out/", "/account/language/")
# ...and a user holding a temporary password.
_PASSWORD_OPEN_PREFIXES = (
    "/account/password/",
    "/account/two-factor/",
    "/account/sign-out/",
    "/account/language/",
)
_UNTOUCHED_PREFIXES = ("/static/", "/healthz")
# Writing the session on every request would cost a query; a minute of slack is harmless.
_LAST_SEEN_GRANULARITY = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_UNTOUCHED_PREFIXES) or not request.user.is_authenticated:
            return self.get_response(request)

        now = timezone.now().timestamp()
        session = request.session
        signed_in_at = session.get(services.SIGNED_IN_AT_KEY, now)
        last_seen = session.get(services.LAST_SEEN_KEY, now)
        idle_limit = settings.MEND_SESSION_IDLE_TIMEOUT.total_seconds()
        absolute_limit = settings.MEND_SESSION_ABSOLUTE_LIMIT.total_seconds()
        if now - last_seen > idle_limit or now - signed_in_at > absolute_limit:
            idle = now - last_seen > idle_limit
            services.sign_out(request=request, reason="session_expired")
            messages.info(
                request,
                _("You were signed out after 30 minutes without activity.")
                if idle
                else _("You were signed out because sessions last at most 12 hours."),
            )
            return redirect(f"{reverse('accounts:sign_in')}?next={request.path}")
        if now - last_seen >= _LAST_SEEN_GRANULARITY:
            session[services.LAST_SEEN_KEY] = now

        if request.user.must_change_password and not request.path.startswith(
            _PASSWORD_OPEN_PREFIXES
        ):
            return redirect("accounts:password_change")
        if (
            not is_verified(request.user)
            and not request.path.startswith(_MFA_OPEN_PREFIXES)
            and mfa_required_for(request.user)
        ):
            # The program began requiring two-factor after this user signed in.
            return redirect("accounts:two_factor_setup")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            language = user.preferred_language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

"""Which program a signed-in user is working in right now."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from mend.programs.queries import memberships_of

CURRENT_PROGRAM_KEY = "mend_program"


class CurrentProgramMiddleware:
    """Sets `request.memberships` (all current) and `request.membership` (the chosen one).

    The choice lives in the session; a program the user no longer belongs to falls back
    to their first program, so a removed role takes effect on the next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            memberships = list(memberships_of(request.user))
            chosen = request.session.get(CURRENT_PROGRAM_KEY)
            current = next((m for m in memberships if m.program.slug == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            request.membership = current  # type: ignore[attr-defined]
        if request.membership is None:  # type: ignore[attr-defined]
            return self.get_response(request)
        # Times on the pages, and "today", are the program's: a case's timeline reads as
        # the program's clock does, whoever opens it and wherever the server is.
        with timezone.override(_zone(request.membership.program.time_zone)):  # type: ignore[attr-defined]
            return self.get_response(request)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")

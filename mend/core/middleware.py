"""Cross-cutting HTTP rules: request size, and no caching of signed-in pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MEND_MAX_REQUEST_BYTES:
            body = render_to_string("413.html", {"limit": settings.MEND_MAX_REQUEST_BYTES})
            return HttpResponse(body, status=413)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Case data must not linger in browser or proxy caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "mend_pending_user" in getattr(
            request, "session", {}
        ):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response

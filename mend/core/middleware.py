"""Cross-cutting HTTP rules: malformed requests and their size, and no caching of
signed-in pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


def declared_length(request: HttpRequest) -> int | None:
    """The body length the client declared: 0 when none, None when it is not a length.

    Django reads `Content-Length` with int() when a view first touches the body, so
    "abc" would raise there (a 500) and "-1" would be taken at its word.
    """
    value = str(request.META.get("CONTENT_LENGTH") or "").strip() or "0"
    if not value.isascii() or not value.isdecimal():
        return None
    return int(value)


def has_nul(request: HttpRequest) -> bool:
    """A NUL in the path or the query string. No stored value holds one, and PostgreSQL
    refuses it in a query: every view would have to strip it, so none has to."""
    return "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
    )


class RequestSizeLimitMiddleware:
    """Refuse malformed requests and oversized bodies before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        if length is None or has_nul(request):
            return HttpResponse(render_to_string("400.html"), status=400)
        limit = settings.MEND_MAX_REQUEST_BYTES
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            # A form with a file; DATA_UPLOAD_MAX_MEMORY_SIZE still caps its other fields.
            limit = settings.MEND_MAX_UPLOAD_REQUEST_BYTES
        if length > limit:
            body = render_to_string("413.html", {"limit": limit})
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

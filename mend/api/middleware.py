"""HTTP rules for /api/: a tighter body limit, JSON for every error, no caching.

It sits first in MIDDLEWARE so that an oversized API request gets a JSON 413 before
the site-wide limit (which answers with an HTML page) or anything else reads the body.
Errors that never reach the API's own handlers (an unknown /api/ path, a method the
path does not allow) are rewritten as JSON in the API's error format.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from mend.api.errors import INTERNAL_ERROR
from mend.core.middleware import declared_length

API_PATH = "/api/"


def _json_error(message: str) -> bytes:
    return json.dumps({"errors": [{"field": "", "message": message}]}).encode()


def _reason(status: int) -> str:
    if status >= 500:
        return INTERNAL_ERROR
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PATH):
            return self.get_response(request)
        limit = settings.MEND_API_MAX_REQUEST_BYTES
        length = declared_length(request)
        if length is None:
            response = HttpResponse(
                _json_error("The Content-Length header is not a length in bytes."),
                status=400,
                content_type="application/json; charset=utf-8",
            )
        elif length > limit:
            response = HttpResponse(
                _json_error(f"The request body is larger than {limit // 1024} KB."),
                status=413,
                content_type="application/json; charset=utf-8",
            )
        else:
            response = self.get_response(request)
            content_type = response.get("Content-Type", "")
            if response.status_code >= 400 and not content_type.startswith("application/json"):
                # Keep the status and headers (Allow on a 405), replace an HTML body.
                response.content = _json_error(_reason(response.status_code))
                response["Content-Type"] = "application/json; charset=utf-8"
        patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response

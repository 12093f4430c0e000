"""Every API error is JSON: {"errors": [{"field": "...", "message": "..."}]}.

`field` names where the problem is (a dotted path into the body such as
harmed_parties.0.email, a query parameter, or a header such as Idempotency-Key), or is
empty when the problem is the request as a whole. Messages are plain English and stable.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("mend.api")

INTERNAL_ERROR = "Internal error"

_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "model_attributes_type": "Must be a JSON object.",
    "model_type": "Must be a JSON object.",
    "dict_type": "Must be a JSON object.",
}
_NOT_AN_OBJECT = {"missing", "model_attributes_type", "model_type", "dict_type"}
# The body arrives as a single parameter; its name is not part of the contract.
_BODY_PARAMETER = "payload"


class ApiError(Exception):
    """A refusal with a status, a message and, optionally, the field it concerns."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [{"field": field, "message": message}]
        self.headers = headers or {}


def refuse_unknown_query(request: HttpRequest, *allowed: str) -> None:
    """Query parameters are part of the contract too: a misspelt one is an error, not a
    silently ignored filter."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        error = ApiError(422, "Unknown query parameter.", field=unknown[0])
        error.errors = [{"field": name, "message": "Unknown query parameter."} for name in unknown]
        raise error


def _field(loc: tuple[Any, ...]) -> str:
    source, *rest = loc
    if source == "body" and rest and rest[0] == _BODY_PARAMETER:
        rest = rest[1:]
    return ".".join(str(part) for part in rest)


def _message(error: dict[str, Any], field: str) -> str:
    if field == "" and error.get("type") in _NOT_AN_OBJECT:
        return "Send a JSON object in the request body."
    if error.get("type") == "missing" and field == "Idempotency-Key":
        return "Send an Idempotency-Key header: a value unique to this referral."
    message = _MESSAGES.get(error.get("type", ""), str(error.get("msg", "")))
    return message.removeprefix("Value error, ")


def validation_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors:
        field = _field(tuple(error.get("loc", ())))
        errors.append({"field": field, "message": _message(error, field)})
    return errors


def install_handlers(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest,
        status: int,
        errors: list[dict[str, str]],
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        response = api.create_response(request, {"errors": errors}, status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def on_api_error(request: HttpRequest, exc: ApiError | type[ApiError]) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return respond(request, exc.status, exc.errors, exc.headers)

    def on_validation_error(
        request: HttpRequest, exc: NinjaValidationError | type[NinjaValidationError]
    ) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        return respond(request, 422, validation_errors(exc))

    def on_http_error(request: HttpRequest, exc: HttpError | type[HttpError]) -> HttpResponse:
        assert isinstance(exc, HttpError)
        headers = {}
        if isinstance(exc, AuthenticationError):
            headers["WWW-Authenticate"] = "Bearer"
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON."
        return respond(request, exc.status_code, [{"field": "", "message": message}], headers)

    def on_not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return respond(request, 404, [{"field": "", "message": "Not Found"}])

    def on_unexpected(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        # A bug on our side: logged with its traceback, which the client never sees.
        logger.error(
            "Unexpected error in the partner API: %s %s",
            request.method,
            request.path,
            exc_info=exc if isinstance(exc, Exception) else True,
        )
        return respond(request, 500, [{"field": "", "message": INTERNAL_ERROR}])

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(Exception, on_unexpected)

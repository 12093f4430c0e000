"""The partner API, version 1: /api/v1/. See docs/api.md for the partner's view of it."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.params import HeaderEx, P, PathEx, QueryEx
from ninja.responses import Status
from pydantic import Field

from mend.api import queries, services
from mend.api.auth import ApiKeyAuth, key_of
from mend.api.docs import ReferencePage
from mend.api.errors import ApiError, install_handlers, refuse_unknown_query
from mend.api.schemas import (
    MAX_ID,
    ErrorResponse,
    OffenceCategoryOut,
    ReferralCreated,
    ReferralPage,
    ReferralStatus,
    ReferralSubmission,
    Timestamp,
    follow,
)
from mend.partners.models import Scope
from mend.programs.models import OffenceCategory

DESCRIPTION = """\
Send referrals to a Mend program from a partner system, and follow what happens to them.

## 1. Get a key
A program administrator creates keys in Mend under *API keys* (or runs
`manage.py create_api_key --program <slug> --agency "<name>" --scopes
referrals:write,referrals:read`). The key is shown once. Each key acts for one agency.
Send it on every request: `Authorization: Bearer mend_...`.

## 2. Send a referral
`POST /api/v1/referrals` with a JSON body (see the schema below) and an `Idempotency-Key`
header: any unique string you choose, such as your own record id. The answer is `201` with
`{"id", "reference", "status", "status_url"}`.

## 3. Retry safely
If the connection drops, send the same body with the same `Idempotency-Key` again: you get
the same referral and status code back, and nothing new is created. The same key with a
different body answers `409`.

## 4. Follow the status
`GET /api/v1/referrals/{id}` answers `status` (`received`, `screening`, `accepted`,
`declined`, `in_progress`, `agreement_reached`, `closed`) and `outcome` (the decline reason
or closure outcome code). `GET /api/v1/referrals?updated_since=...` lists your agency's
referrals that changed, with a `next_cursor` for the next page.

## 5. Status webhooks
Mend can also POST `{"event", "referral_id", "reference", "status", "outcome",
"occurred_at"}` to your URL when a referral is accepted, declined, starts the restorative
process, reaches an agreement or closes. Each request carries `Mend-Event-Id` and
`Mend-Signature: t=<unix time>,v1=<hex>`, where `v1` is the HMAC-SHA256 of `"<t>.<body>"`
with your signing secret. Verify it before trusting the message:

```python
import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(parts["t"])) < 300
    return fresh and hmac.compare_digest(expected, parts["v1"])
```

Failed deliveries are retried with growing gaps for 24 hours.

## Errors
Every error answers `{"errors": [{"field": "...", "message": "..."}]}`: `400` a
`Content-Length` that is not a length, `401` bad or missing key, `403` missing scope, `404`
not your agency's referral, `409` idempotency conflict, `413` body over 256 KB, `422`
invalid fields (all of them listed; nothing is stored), `429` too many requests (see
`Retry-After`): over a key's limit a minute, or, from one address, 30 requests in 10
minutes without a working key.
"""

api = NinjaAPI(
    title="Mend partner API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Mend's own reference page, read from the OpenAPI document (Swagger UI fails WCAG AA).
    docs=ReferencePage(),
)
install_handlers(api)

WRITE = ApiKeyAuth(Scope.REFERRALS_WRITE)
READ = ApiKeyAuth(Scope.REFERRALS_READ)
# Whoever sends referrals needs the category codes too.
EITHER = ApiKeyAuth(Scope.REFERRALS_READ, Scope.REFERRALS_WRITE)

# Errors any authenticated operation can answer.
COMMON_ERRORS: dict[int, Any] = {
    401: ErrorResponse,
    403: ErrorResponse,
    413: ErrorResponse,
    422: ErrorResponse,
    429: ErrorResponse,
}

# Headers some answers carry, for the document (ninja has no parameter for these).
ANSWER_HEADERS: dict[str, Any] = {
    "responses": {
        401: {
            "headers": {
                "WWW-Authenticate": {
                    "description": "How to authenticate: Bearer.",
                    "schema": {"type": "string"},
                }
            }
        },
        429: {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before the next request.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        },
    }
}
REPLAYED_HEADER: dict[str, Any] = {
    "responses": {
        201: {
            "headers": {
                "Idempotent-Replayed": {
                    "description": "Present on a retry answered with the first answer.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        },
        **ANSWER_HEADERS["responses"],
    }
}

IdempotencyKey = HeaderEx[
    str,
    P(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description=(
            "A value you choose, unique to this referral (a UUID, say). Sending the same "
            "referral again with the same key returns the first answer and records nothing "
            "new."
        ),
    ),
]
ReferralId = PathEx[int, P(ge=1, le=MAX_ID, description="The referral's id.")]
Limit = QueryEx[int, P(ge=1, le=queries.MAX_PAGE_SIZE, description="Items per page.")]
UpdatedSince = QueryEx[
    Timestamp | None,
    P(description="Only referrals changed at or after this moment (RFC 3339, with a zone)."),
]
Cursor = QueryEx[
    Annotated[str, Field(max_length=200)] | None,
    P(description="The next_cursor of the previous page."),
]


@api.post(
    "/referrals",
    auth=WRITE,
    response={201: ReferralCreated, 400: ErrorResponse, 409: ErrorResponse, **COMMON_ERRORS},
    url_name="referrals",
    operation_id="createReferral",
    summary="Send a referral",
    openapi_extra=REPLAYED_HEADER,
    tags=["referrals"],
)
def create_referral(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReferralSubmission,
    idempotency_key: IdempotencyKey,
) -> Status[Any]:
    """Record a referral for the key's agency and open its case.

    Needs the referrals:write scope. Retrying with the same Idempotency-Key and the same
    body returns the same referral; the same key with a different body is refused (409).
    """
    refuse_unknown_query(request)
    key = key_of(request)
    try:
        result = services.submit_api_referral(
            key=key, idempotency_key=idempotency_key, payload=payload
        )
    except ValidationError as error:
        raise ApiError(422, " ".join(error.messages)) from error
    if result.conflict or result.referral is None:
        raise ApiError(
            409,
            "This Idempotency-Key was already used for a different referral. "
            "Use a new key for a new referral.",
            field="Idempotency-Key",
        )
    referral = result.referral
    if not result.created:
        response["Idempotent-Replayed"] = "true"
    body = {
        "id": referral.pk,
        "reference": referral.case.reference,
        "status": referral.follow_status,
        "status_url": request.build_absolute_uri(
            reverse("api:referral", kwargs={"id": referral.pk})
        ),
    }
    return Status(201, body)


@api.get(
    "/referrals",
    auth=READ,
    response={200: ReferralPage, **COMMON_ERRORS},
    url_name="referrals",
    operation_id="listReferrals",
    openapi_extra=ANSWER_HEADERS,
    summary="List referrals",
    tags=["referrals"],
)
def list_referrals(
    request: HttpRequest,
    updated_since: UpdatedSince = None,
    cursor: Cursor = None,
    limit: Limit = queries.PAGE_SIZE,
) -> dict[str, Any]:
    """The agency's referrals, oldest change first. Needs the referrals:read scope."""
    refuse_unknown_query(request, "updated_since", "cursor", "limit")
    key = key_of(request)
    try:
        position = queries.decode_cursor(cursor) if cursor else None
    except queries.BadCursor:
        raise ApiError(422, "Not a cursor from this API.", field="cursor") from None
    items, next_cursor = queries.page_of(
        key, updated_since=updated_since, cursor=position, limit=limit
    )
    services.record_listed(
        key=key,
        count=len(items),
        updated_since=updated_since.isoformat() if updated_since else "",
        cursor=position is not None,
    )
    return {"items": [follow(referral) for referral in items], "next_cursor": next_cursor}


@api.get(
    "/referrals/{id}",
    auth=READ,
    response={200: ReferralStatus, 404: ErrorResponse, **COMMON_ERRORS},
    url_name="referral",
    operation_id="getReferral",
    openapi_extra=ANSWER_HEADERS,
    summary="Read a referral's status",
    tags=["referrals"],
)
def get_referral(request: HttpRequest, id: ReferralId) -> dict[str, Any]:
    """Where the referral stands. Needs the referrals:read scope."""
    refuse_unknown_query(request)
    key = key_of(request)
    referral = queries.referrals_of(key).filter(pk=id).first()
    if referral is None:
        raise ApiError(404, "No referral with this id was sent by your agency.")
    services.record_read(key=key, referral=referral)
    return follow(referral)


@api.get(
    "/offence-categories",
    auth=EITHER,
    response={200: list[OffenceCategoryOut], **COMMON_ERRORS},
    url_name="offence_categories",
    operation_id="listOffenceCategories",
    openapi_extra=ANSWER_HEADERS,
    summary="List offence categories",
    tags=["reference data"],
)
def offence_categories(request: HttpRequest) -> list[dict[str, str]]:
    """The codes `offence_category` accepts. Needs either scope."""
    refuse_unknown_query(request)
    key = key_of(request)
    services.record_categories_listed(key=key)
    return [
        {"code": c.code, "label": str(c.label), "handling": c.handling}
        for c in OffenceCategory.objects.filter(program_id=key.program_id, is_active=True)
    ]

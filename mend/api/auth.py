"""Bearer API keys: who is asking, whether they are within their rate limit, what they may do.

Checks run in this order: a working key (401), the key's rate limit (429), the
operation's scope (403). Every refusal is audited.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from mend.api import services
from mend.api.errors import ApiError
from mend.core import refusals
from mend.partners import services as keys
from mend.partners.models import ApiKey

_REFUSALS = {
    "missing": "Send an API key in the Authorization header: Authorization: Bearer <key>.",
    "malformed": "The API key is not valid.",
    "unknown": "The API key is not valid.",
    "revoked": "This API key has been revoked.",
    "expired": "This API key has expired.",
    "inactive": "This API key's agency or program is no longer active.",
}


class ApiKeyAuth(HttpBearer):
    def __init__(self, *scopes: str) -> None:
        """Authenticate keys holding any one of `scopes`."""
        super().__init__()
        self.scopes = scopes

    def __call__(self, request: HttpRequest) -> ApiKey:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        check = keys.check_key(token)
        if check.key is None:
            # Counted per address (and per named key): the first refusal in a window is
            # audited, the rest are folded into a count, and past the limit answered 429.
            kind = "api.auth.refused" + (f":{check.named.pk}" if check.named else "")
            tally = refusals.count_refusal(kind=kind, address=refusals.client_address(request))
            if tally.wait is not None:
                raise ApiError(
                    429,
                    "Too many requests without a working API key. "
                    f"Try again in {tally.wait} seconds.",
                    headers={"Retry-After": str(tally.wait)},
                )
            if tally.first:
                services.record_refusal(request, reason=check.refusal, key=check.named)
            raise ApiError(
                401, _REFUSALS[check.refusal], headers={"WWW-Authenticate": 'Bearer realm="mend"'}
            )
        key = check.key
        wait = keys.count_request(key=key, path=request.path[:200])
        if wait is not None:
            raise ApiError(
                429,
                f"Too many requests: the limit is {keys.rate_limit()} a minute. "
                f"Try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        if not any(key.has_scope(scope) for scope in self.scopes):
            needed = " or ".join(self.scopes)
            services.record_scope_refusal(request, key=key, scope=needed)
            raise ApiError(403, f"This API key may not do this: it needs the {needed} scope.")
        return key


def key_of(request: HttpRequest) -> ApiKey:
    """The key that authenticated this request (set by ninja after ApiKeyAuth)."""
    auth: Any = request.auth  # type: ignore[attr-defined]
    return cast(ApiKey, auth)

"""Property-based tests of the whole API against its own OpenAPI document (Schemathesis).

Every operation is called, in-process through the WSGI application, with generated valid
and invalid input and a working key: no answer may be a server error, and every answer
must be one the document declares, with a body matching its schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings

from mend.api.tests.conftest import Partner

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# Every built-in check except positive_data_acceptance: data the document allows can still
# be refused by rules it cannot express (a program's own category codes, dates not in the
# future, a real e-mail address, consent to contact needing the offer date), and those
# refusals are the documented 422. Stateful checks need links the document does not have.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.missing_required_header,
    schemathesis.checks.ignored_auth,
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
]


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Schemathesis calls Django's WSGI handler, not the test client, and the handler
    closes "old" connections after each request, which would end the test's
    transaction. The test client avoids this the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    derandomize=True,
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_published_contract(
    case: schemathesis.Case, partner: Partner, same_connection: None
) -> None:
    if (
        isinstance(case.body, dict)
        and case.meta is not None
        and case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE
    ):
        # Category codes belong to each program, so the document cannot list them: give
        # generated referrals a real one, or none would ever get past validation.
        case.body["offence_category"] = "theft"
    # The contract, not the limits: those have their own tests.
    with override_settings(MEND_API_RATE_LIMIT_PER_MINUTE=1_000_000, MEND_REFUSAL_LIMIT=1_000_000):
        case.call_and_validate(headers=partner.headers(), checks=CHECKS)

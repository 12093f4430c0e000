"""The OpenAPI document and the reference page: complete, local, and within our CSP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from mend.testing.browser import screenshot


def test_the_openapi_document_declares_every_answer(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    common = {"401", "403", "413", "422", "429"}
    assert codes("/api/v1/referrals", "post") == {"201", "400", "409"} | common
    assert codes("/api/v1/referrals", "get") == {"200"} | common
    assert codes("/api/v1/referrals/{id}", "get") == {"200", "404"} | common
    assert codes("/api/v1/offence-categories", "get") == {"200"} | common
    for operations in paths.values():
        for operation in operations.values():
            assert "Retry-After" in operation["responses"]["429"]["headers"]
    post = paths["/api/v1/referrals"]["post"]
    assert post["parameters"][0]["name"] == "Idempotency-Key"
    assert post["parameters"][0]["required"] is True
    schemas = response.json()["components"]["schemas"]
    assert schemas["ReferralSubmission"]["additionalProperties"] is False
    assert response.json()["components"]["securitySchemes"] == {
        "ApiKeyAuth": {"type": "http", "scheme": "bearer"}
    }


def test_the_docs_page_uses_only_local_assets_and_no_inline_script(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "swagger" not in html.lower()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'src="/static/(mend|vendor)/', tag), tag
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_reference_page_shows_every_operation_and_schema_of_the_openapi_document(
    db: None,
) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    html = Client().get("/api/v1/docs").content.decode()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert f'id="{operation["operationId"]}"' in html
            assert escape(operation["summary"]) in html
            for parameter in operation.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in html
        assert f"<code>{path}</code>" in html
    for name, schema in document["components"]["schemas"].items():
        assert f'id="schema-{name}"' in html
        for field in schema.get("properties", {}):
            assert f"<code>{field}</code>" in html


def test_the_walkthrough_is_rendered_with_its_headings_and_the_signature_snippet(
    db: None,
) -> None:
    from html import unescape

    from mend.api.api import DESCRIPTION

    html = Client().get("/api/v1/docs").content.decode()
    for heading in re.findall(r"^## (.+)$", DESCRIPTION, flags=re.MULTILINE):
        assert re.search(rf"<h2 id=\"guide-[a-z0-9-]+\">{re.escape(heading)}</h2>", html)
    snippet = DESCRIPTION.split("```python\n", 1)[1].split("```", 1)[0].rstrip("\n")
    shown = re.search(r'<pre class="mend-code" tabindex="0"><code>(.*?)</code></pre>', html, re.S)
    assert shown and unescape(shown.group(1)) == snippet
    assert "```" not in html
    assert "<em>API keys</em>" in html
    assert "<code>Idempotency-Key</code>" in html


@pytest.mark.browser
def test_the_docs_render_in_chromium_under_the_content_security_policy(
    live_server: Any, page: Any
) -> None:
    violations: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )

    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_role("heading", name="Mend partner API", level=1).wait_for()
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Send a referral", exact=True
    ).click()
    assert page.url.endswith("#createReferral")
    operation = page.get_by_role("region", name="Send a referral")
    operation.get_by_role("rowheader", name="Idempotency-Key", exact=True).wait_for()

    screenshot(page, "api-docs")
    assert violations == []
    assert outside == []
    assert page.locator(".mend-operation").count() == 4


def test_the_signature_check_shown_in_the_api_docs_accepts_real_signatures() -> None:
    """The snippet partners copy from /api/v1/docs must verify what Mend really sends."""
    import time

    from mend.api.api import DESCRIPTION
    from mend.partners.webhooks import sign

    snippet = DESCRIPTION.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    verify = namespace["verify"]
    body = b'{"event": "referral.accepted"}'
    header = sign("whsec_test", int(time.time()), body)
    assert verify("whsec_test", header, body)  # type: ignore[operator]
    assert not verify("whsec_test", header, body + b" ")  # type: ignore[operator]
    assert not verify("another secret", header, body)  # type: ignore[operator]
    stale = sign("whsec_test", int(time.time()) - 600, body)
    assert not verify("whsec_test", stale, body)  # type: ignore[operator]

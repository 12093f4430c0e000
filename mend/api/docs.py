"""The API reference page at /api/v1/docs: Mend's own page, built from the OpenAPI document.

It replaces Swagger UI, which fails WCAG 2.2 AA (contrast, no page language, buttons
inside buttons, tiny targets) and needs a large script. This page is plain HTML in
Mend's frame: headings, lists and stacked tables that work with a keyboard, a screen
reader and a phone, and it cannot drift from the API because it reads the same document
that /api/v1/openapi.json serves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

_CODE_SPAN = re.compile(r"(`[^`]+`)")
_EMPHASIS = re.compile(r"\*([^*\s][^*]*)\*")
_HEADING = re.compile(r"(#{1,6})\s+(.*)")


def _inline(text: str) -> str:
    parts = []
    for part in _CODE_SPAN.split(text):
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            parts.append(f"<code>{escape(part[1:-1])}</code>")
        else:
            parts.append(_EMPHASIS.sub(r"<em>\1</em>", str(escape(part))))
    return "".join(parts)


def headings(text: str, prefix: str) -> list[tuple[str, str]]:
    """(id, text) of each heading `markdown(text, anchors=prefix)` writes."""
    return [
        (f"{prefix}{slugify(match.group(2))}", match.group(2).replace("`", ""))
        for match in map(_HEADING.match, text.splitlines())
        if match
    ]


def markdown(text: str, *, top: int = 2, anchors: str = "") -> SafeString:
    """The little Markdown the API's texts use: headings, paragraphs, `code`, *emphasis*
    and fenced code blocks. Everything else is escaped and shown as written.

    `##` becomes a heading of level `top`, `###` of `top + 1`, and so on. With `anchors`,
    each heading gets an id (that prefix and its words) for a table of contents.
    """
    html: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    lines = text.strip("\n").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        if line.startswith("```"):
            end_paragraph()
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            code = escape("\n".join(lines[index + 1 : end]))
            # Focusable: a phone scrolls long lines sideways, and keyboards must too.
            html.append(f'<pre class="mend-code" tabindex="0"><code>{code}</code></pre>')
            index = end
        elif heading:
            end_paragraph()
            level = min(6, max(1, top - 2 + len(heading.group(1))))
            anchor = f' id="{anchors}{slugify(heading.group(2))}"' if anchors else ""
            html.append(f"<h{level}{anchor}>{_inline(heading.group(2))}</h{level}>")
        elif line.strip():
            paragraph.append(line.strip())
        else:
            end_paragraph()
        index += 1
    end_paragraph()
    return mark_safe("".join(html))  # noqa: S308 - every piece of text was escaped above


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict[str, Any]) -> SafeString:
    """A short reading of a JSON schema: "string (date) or null", "array of ErrorItem"."""
    if "$ref" in schema:
        name = _schema_name(schema["$ref"])
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    if "anyOf" in schema:
        return mark_safe(" or ".join(type_of(option) for option in schema["anyOf"]))  # noqa: S308
    kind = schema.get("type", "any")
    if kind == "array":
        return format_html("array of {}", type_of(schema.get("items", {})))
    if "format" in schema:
        return format_html("{} ({})", kind, schema["format"])
    return format_html("{}", kind)


def rules_of(schema: dict[str, Any]) -> list[str]:
    """The limits a value must keep, in words."""
    rules = []
    for option in [schema, *schema.get("anyOf", [])]:
        if "enum" in option:
            rules.append("one of: " + ", ".join(str(value) for value in option["enum"]))
        if "minLength" in option and "maxLength" in option:
            rules.append(f"{option['minLength']} to {option['maxLength']} characters")
        elif "maxLength" in option:
            rules.append(f"at most {option['maxLength']} characters")
        elif "minLength" in option:
            rules.append(f"at least {option['minLength']} characters")
        if "minimum" in option:
            rules.append(f"at least {option['minimum']}")
        if "maximum" in option:
            rules.append(f"at most {option['maximum']}")
        if "pattern" in option:
            rules.append(f"matches {option['pattern']}")
    if "default" in schema:
        rules.append(f"default: {schema['default'] if schema['default'] != '' else 'empty'}")
    return rules


def _body_schema(content: dict[str, Any]) -> dict[str, Any] | None:
    media = content.get("application/json")
    return media.get("schema") if media else None


def _operation(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    parameters = [
        {
            "name": parameter["name"],
            "where": parameter["in"],
            "required": parameter.get("required", False),
            "type": type_of(parameter.get("schema", {})),
            "description": parameter.get("description", ""),
            "rules": rules_of(parameter.get("schema", {})),
        }
        for parameter in operation.get("parameters", [])
    ]
    body = operation.get("requestBody")
    responses = []
    for status, response in sorted(operation.get("responses", {}).items()):
        schema = _body_schema(response.get("content", {}))
        responses.append(
            {
                "status": status,
                "meaning": response.get("description", ""),
                "body": type_of(schema) if schema else "",
                "headers": format_html_join(
                    "",
                    "<li><code>{}</code>: {}</li>",
                    (
                        (name, header.get("description", ""))
                        for name, header in response.get("headers", {}).items()
                    ),
                ),
            }
        )
    return {
        "id": operation.get("operationId", f"{method}-{path}"),
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": markdown(operation.get("description", ""), top=4),
        "needs_key": bool(operation.get("security")),
        "parameters": parameters,
        "body": type_of(_body_schema(body["content"]) or {}) if body else "",
        "responses": responses,
    }


def _schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", []))
    fields = [
        {
            "name": field,
            "type": type_of(definition),
            "required": field in required,
            "description": definition.get("description", ""),
            "rules": rules_of(definition),
        }
        for field, definition in schema.get("properties", {}).items()
    ]
    return {
        "name": name,
        "description": schema.get("description", ""),
        "values": schema.get("enum", []),
        "fields": fields,
        "closed": schema.get("additionalProperties") is False,
    }


def reference(document: dict[str, Any]) -> dict[str, Any]:
    """What the page shows, read from an OpenAPI document."""
    operations = [
        _operation(path, method, operation)
        for path, methods in document.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    schemas = document.get("components", {}).get("schemas", {})
    description = document["info"].get("description", "")
    return {
        "title": document["info"]["title"],
        "version": document["info"].get("version", ""),
        "walkthrough": markdown(description, anchors="guide-"),
        "guide": headings(description, "guide-"),
        "operations": operations,
        "schemas": [_schema(name, schema) for name, schema in schemas.items()],
    }


class ReferencePage(DocsBase):
    """ninja's docs view, answered with Mend's reference page instead of Swagger UI."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        document = api.get_openapi_schema(path_params=kwargs)
        context = {
            "api": reference(dict(document)),
            "openapi_url": self.get_openapi_url(api, kwargs),
        }
        return render(request, "api/reference.html", context)

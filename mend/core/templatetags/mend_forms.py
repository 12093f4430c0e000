"""{% error_summary form formset "Name of its forms" ... %}: the GOV.UK error summary."""

from __future__ import annotations

from typing import Any

from django import template

from mend.core.forms import problems_of

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*items: Any) -> dict[str, Any]:
    return {"problems": problems_of(items)}

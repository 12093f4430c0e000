"""axe-core inside the browser tests: the WCAG 2.0, 2.1 and 2.2 A and AA rules.

axe.min.js comes from the PyPI package axe-playwright-python, which bundles a released
axe-core (MPL-2.0) with its licence; pip installs it with the other test tools, so nothing
is fetched at test time and no copy of axe lives in this repository.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

# Every WCAG success criterion at levels A and AA that axe checks.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


@cache
def axe_script() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (the raw result objects)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    results = page.evaluate(f"axe.run(document, {json.dumps(_OPTIONS)})")
    return list(results["violations"])


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per rule broken, with the first few offending elements."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
            + "; ".join(targets)
            + (f" (+{more} more)" if more > 0 else "")
        )
    return lines

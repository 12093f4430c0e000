"""What a browser sends back with Mend's forms, for tests that post them directly."""

from __future__ import annotations

from typing import Any

from mend.cases.models import Case
from mend.core.submissions import new_token


def sent(case: Case, **fields: Any) -> dict[str, Any]:
    """A case action form as opened now: the case's version and a fresh one-time token."""
    return {"version": case.version, "submission": new_token(), **fields}

"""System checks that keep a production deployment honest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_mode_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.DEMO_MODE:
        errors.append(
            Error(
                "MEND_DEMO is on: demo mode must never serve real cases.",
                hint="Unset MEND_DEMO in production.",
                id="mend.E001",
            )
        )
    return errors


@register(Tags.database, deploy=True)
def demo_password_check(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or settings.DEMO_MODE:
        return []
    from mend.core.startup import accounts_with_demo_password

    found = accounts_with_demo_password()
    if not found:
        return []
    return [
        Error(
            f"These accounts still have the demo password: {', '.join(found)}.",
            hint="Change their passwords or deactivate them before going live.",
            id="mend.E002",
        )
    ]

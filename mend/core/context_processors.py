from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from mend.core import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs: demo banner, current program, switcher, navigation."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "demo_mode": settings.DEMO_MODE,
        "current_membership": membership,
        "current_program": membership.program if membership else None,
        "all_memberships": getattr(request, "memberships", []),
        "nav_items": navigation.items_for(membership) if signed_in else [],
    }

"""Refuse to serve in production while a demo account still opens with the demo password."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def accounts_with_demo_password() -> list[str]:
    from mend.accounts.models import User

    # Only the demo usernames are tried: hashing the demo password against every
    # account would make start-up as slow as the user table is long.
    candidates = User.objects.filter(username__in=settings.MEND_DEMO_USERNAMES, is_active=True)
    return sorted(u.username for u in candidates if u.check_password(settings.MEND_DEMO_PASSWORD))


def refuse_demo_passwords() -> None:
    if not settings.PRODUCTION:
        return
    try:
        found = accounts_with_demo_password()
    except DatabaseError:
        return  # not migrated yet; /healthz will say the database is not ready
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: these accounts still have the demo password: "
            + ", ".join(found)
            + ". Change their passwords or deactivate them first."
        )

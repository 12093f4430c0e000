"""Reads about accounts that depend on who is asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django_otp import user_has_device

from mend.programs.queries import memberships_of

if TYPE_CHECKING:
    from mend.accounts.models import User


def mfa_required_for(user: User) -> bool:
    """Two-factor sign-in is required when any program the user works in requires it.

    Superusers can reach every program, so outside demo mode they always need it.
    """
    if user.is_superuser and not settings.DEMO_MODE:
        return True
    return memberships_of(user).filter(program__require_mfa=True).exists()


def is_verified(user: object) -> bool:
    """Did this session pass a second factor? (django-otp's middleware adds is_verified.)"""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def has_mfa(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))

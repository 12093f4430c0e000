"""Once-only forms: each rendered form carries a token that can be used once.

`claim()` runs inside the transaction that saves the form's work. The token's unique
index makes a second send of the same form wait for the first (on PostgreSQL) and then
fail to claim it, so the work is done once however many times the form arrives.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.core.models import SentForm

if TYPE_CHECKING:
    from mend.accounts.models import User

# Long enough for a slow retry, short enough that the table stays small.
KEEP_FOR = timedelta(days=2)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_field() -> forms.CharField:
    return forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        min_length=16,
        error_messages={
            "required": _("This form is out of date. Reload the page and try again."),
            "min_length": _("This form is out of date. Reload the page and try again."),
        },
    )


def claim(token: str, *, user: User | None) -> bool:
    """Mark the form as sent. False when it was sent before (its work is already done)."""
    assert transaction.get_connection().in_atomic_block, "claim() belongs inside the save"
    try:
        with transaction.atomic():
            SentForm.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    if user is not None:
        SentForm.objects.filter(user=user, sent_at__lt=timezone.now() - KEEP_FOR).delete()
    return True


def remember_result(token: str, url: str) -> None:
    SentForm.objects.filter(token=token).update(result_url=url[:300])


def earlier_result(token: str) -> str:
    """Where the earlier send of this form led ('' when unknown)."""
    sent = SentForm.objects.filter(token=token).first()
    return sent.result_url if sent else ""

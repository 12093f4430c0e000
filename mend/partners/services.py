"""Every write to API keys and their request counts. Each verb audits in its transaction."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.core import audit
from mend.core.models import AuditEvent
from mend.partners.models import ApiKey, ApiRateWindow, Scope
from mend.programs.models import Agency, Program

if TYPE_CHECKING:
    from mend.accounts.models import User

KEY_PREFIX = "mend"
# Bytes of randomness in the secret part (token_urlsafe makes 43 characters of 32 bytes).
SECRET_BYTES = 32
# Longest key text worth hashing; anything longer is not one of ours.
MAX_KEY_LENGTH = 200
# last_used_at is written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key_text: str) -> str:
    return hashlib.sha256(key_text.encode("utf-8", errors="surrogatepass")).hexdigest()


def actor_label(key: ApiKey) -> str:
    return f"api:{key.prefix}"


# A key expires at most two years ahead: a longer-lived secret is one nobody remembers
# to rotate. (A day's slack: the form's last day ends at midnight where the program is.)
KEY_YEARS = 2
KEY_LIFETIME = timedelta(days=366 * KEY_YEARS + 1)


@transaction.atomic
def create_api_key(
    *,
    program: Program,
    agency: Agency,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    by: User | None,
) -> tuple[ApiKey, str]:
    """A new key for `agency`. Returns the key and its text, which is never stored."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the key a name, such as the partner system it is for.")
    if agency.program_id != program.pk:
        errors["agency"] = _("Choose an agency of this program.")
    elif not (agency.is_active and agency.refers_cases):
        errors["agency"] = _("Choose an active agency that refers cases.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if not scopes or unknown:
        errors["scopes"] = _("Choose what the key may do.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    elif expires_at is not None and expires_at > timezone.now() + KEY_LIFETIME:
        errors["expires_at"] = _("Choose an expiry at most two years ahead.")
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    else:  # pragma: no cover - 32 random bits colliding five times running
        raise RuntimeError("Could not find a free key prefix.")
    key_text = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    key = ApiKey(
        program=program,
        agency=agency,
        name=name,
        prefix=prefix,
        hashed_secret=hash_key(key_text),
        scopes=[s for s in Scope.values if s in scopes],
        expires_at=expires_at,
        created_by=by,
    )
    key.full_clean()
    key.save()
    audit.record(
        actor=by,
        action="api_key.created",
        obj=key,
        program=program,
        prefix=prefix,
        agency=agency.name,
        scopes=",".join(key.scopes),
    )
    return key, key_text


@transaction.atomic
def revoke_api_key(*, key: ApiKey, by: User | None) -> ApiKey:
    """Stop the key working at once. Revoking a revoked key changes nothing."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=by,
            action="api_key.revoked",
            obj=locked,
            program=locked.program,
            changed_fields=["revoked_at"],
            prefix=locked.prefix,
        )
    key.revoked_at = locked.revoked_at
    key.revoked_by = locked.revoked_by
    return key


# --- Using a key ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of presenting a key: the key when it works, or why it does not."""

    key: ApiKey | None
    refusal: str = ""
    # The key the text names, even when it cannot be used (revoked, expired).
    named: ApiKey | None = None


def check_key(key_text: str, *, now: datetime | None = None) -> KeyCheck:
    """Find the key the text belongs to and say whether it may be used now."""
    now = now or timezone.now()
    if not key_text:
        return KeyCheck(None, "missing")
    parts = key_text.split("_", 2)
    if len(key_text) > MAX_KEY_LENGTH or len(parts) != 3 or parts[0] != KEY_PREFIX:
        return KeyCheck(None, "malformed")
    key = (
        ApiKey.objects.select_related("program", "agency").filter(prefix=parts[1]).first()
        if parts[1].isascii() and parts[1].isalnum()
        else None
    )
    if key is None or not hmac.compare_digest(key.hashed_secret, hash_key(key_text)):
        return KeyCheck(None, "unknown")
    if key.revoked_at is not None:
        return KeyCheck(None, "revoked", key)
    if key.is_expired(now):
        return KeyCheck(None, "expired", key)
    if not (key.program.is_active and key.agency.is_active):
        return KeyCheck(None, "inactive", key)
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        key.last_used_at = now
    return KeyCheck(key, named=key)


def rate_limit() -> int:
    return int(settings.MEND_API_RATE_LIMIT_PER_MINUTE)


@transaction.atomic
def count_request(*, key: ApiKey, path: str = "", now: datetime | None = None) -> int | None:
    """Count one request against the key's limit for this minute.

    Returns None while within the limit, or the seconds to wait before the next minute
    starts. The count is kept in the database, so it holds across server processes: the
    UPDATE locks the key's row for this minute until the transaction ends.
    """
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    rows = ApiRateWindow.objects.filter(api_key=key, window_start=window)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                ApiRateWindow.objects.create(api_key=key, window_start=window, count=1)
        except IntegrityError:
            # Another process opened this minute's row first: count on it.
            rows.update(count=F("count") + 1)
        else:
            # A new minute: the key's older rows have done their job.
            ApiRateWindow.objects.filter(api_key=key, window_start__lt=window).delete()
    count = rows.values_list("count", flat=True).get()
    limit = rate_limit()
    if count <= limit:
        return None
    wait = max(1, math.ceil((window + timedelta(minutes=1) - now).total_seconds()))
    if count == limit + 1:
        # Recorded once a minute per key, so a runaway client cannot flood the trail.
        audit.record(
            actor=None,
            actor_label=actor_label(key),
            action="api.rate_limited",
            obj=key,
            program=key.program,
            outcome=AuditEvent.Outcome.DENIED,
            path=path,
            limit=limit,
        )
    return wait

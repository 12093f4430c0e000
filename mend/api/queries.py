"""Reads for partner systems: a key sees its own agency's referrals, nothing else.

A referral's status comes from its case, and moving a case does not touch the referral
row, so "when it last changed" is the later of the two rows' updated_at (`changed_at`).
Lists are ordered by (changed_at, id) and paged with an opaque cursor holding the last
pair seen, so a page never skips or repeats a referral that did not change meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from mend.api.schemas import MAX_ID, parse_timestamp
from mend.cases.models import Referral
from mend.partners.models import ApiKey

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class BadCursor(ValueError):
    pass


def referrals_of(key: ApiKey) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(program_id=key.program_id, agency_id=key.agency_id)
        .select_related("case")
        .annotate(changed_at=Greatest("updated_at", "case__updated_at"))
    )


def encode_cursor(changed_at: datetime, referral_id: int) -> str:
    raw = f"{changed_at.isoformat()}|{referral_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, _, number = raw.partition("|")
        referral_id = int(number)
        changed_at = parse_timestamp(stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor from None
    if not 0 < referral_id <= MAX_ID:
        raise BadCursor
    return changed_at, referral_id


def page_of(
    key: ApiKey,
    *,
    updated_since: datetime | None,
    cursor: tuple[datetime, int] | None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Referral], str | None]:
    """One page of the key's referrals, oldest change first, and the cursor for the next."""
    rows = referrals_of(key)
    if updated_since is not None:
        rows = rows.filter(Q(changed_at__gte=updated_since))
    if cursor is not None:
        after, last_id = cursor
        rows = rows.filter(Q(changed_at__gt=after) | Q(changed_at=after, pk__gt=last_id))
    found = list(rows.order_by("changed_at", "pk")[: limit + 1])
    items = found[:limit]
    if len(found) > limit:
        last = items[-1]
        return items, encode_cursor(last.changed_at, last.pk)  # type: ignore[attr-defined]
    return items, None

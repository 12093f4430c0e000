"""Repeated refusals from one address: counted, folded in the audit trail, then limited.

Anyone can send a request without a working API key, or sign in with a made-up
username; if each refusal wrote its own audit row, the trail could be flooded without
limit. Instead each address gets, per kind of refusal and per window (10 minutes):

- one audit row for its first refusal (the caller writes it when `Tally.first`);
- past the limit (30), an answer of 429 and one `refusals.limited` row;
- when the address comes back in a later window, one `refusals.repeated` row saying how
  many refusals of the earlier window were folded into its first row.

The count is kept in the database, like the API keys' rate limit, so it holds across
server processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from mend.core import audit
from mend.core.models import AuditEvent, RefusalWindow


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def window_of(now: datetime) -> datetime:
    size = settings.MEND_REFUSAL_WINDOW
    seconds = int(size.total_seconds())
    stamp = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(stamp, tz=now.tzinfo)


@dataclass(frozen=True)
class Tally:
    count: int  # refusals of this kind from this address in this window, this one included
    wait: int | None  # past the limit: seconds until the window ends

    @property
    def first(self) -> bool:
        return self.count == 1


def _wait(window: datetime, now: datetime) -> int:
    end = window + settings.MEND_REFUSAL_WINDOW
    return max(1, math.ceil((end - now).total_seconds()))


def waiting(*, kind: str, address: str, now: datetime | None = None) -> int | None:
    """Seconds this address must wait before trying `kind` again, or None."""
    now = now or timezone.now()
    window = window_of(now)
    count = (
        RefusalWindow.objects.filter(kind=kind, address=address, window_start=window)
        .values_list("count", flat=True)
        .first()
    )
    if count is not None and count >= settings.MEND_REFUSAL_LIMIT:
        return _wait(window, now)
    return None


@transaction.atomic
def count_refusal(*, kind: str, address: str, now: datetime | None = None) -> Tally:
    """Count one refusal; see the module's notes for what it writes to the audit trail."""
    now = now or timezone.now()
    window = window_of(now)
    limit = settings.MEND_REFUSAL_LIMIT
    rows = RefusalWindow.objects.filter(kind=kind, address=address, window_start=window)
    current = rows.values_list("count", flat=True).first()
    if current is not None and current > limit:
        # Already limited and recorded as such: nothing more to write.
        return Tally(current, _wait(window, now))
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RefusalWindow.objects.create(
                    kind=kind, address=address, window_start=window, count=1
                )
        except IntegrityError:
            rows.update(count=F("count") + 1)
        else:
            _close_earlier_windows(kind=kind, address=address, before=window)
    count = rows.values_list("count", flat=True).get()
    if count <= limit:
        return Tally(count, None)
    if count == limit + 1:
        audit.record(
            actor=None,
            actor_label=f"address:{address}",
            action="refusals.limited",
            outcome=AuditEvent.Outcome.DENIED,
            kind=kind,
            ip=address,
            repeated=count - 1,
            limit=limit,
        )
    return Tally(count, _wait(window, now))


def _close_earlier_windows(*, kind: str, address: str, before: datetime) -> None:
    earlier = RefusalWindow.objects.filter(kind=kind, address=address, window_start__lt=before)
    for old in earlier:
        if old.count > 1:
            audit.record(
                actor=None,
                actor_label=f"address:{address}",
                action="refusals.repeated",
                outcome=AuditEvent.Outcome.DENIED,
                kind=kind,
                ip=address,
                since=old.window_start.isoformat(),
                repeated=old.count - 1,
            )
    earlier.delete()

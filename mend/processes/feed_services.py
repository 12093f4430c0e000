"""A person's private calendar feed: made, replaced and revoked here, read by its token.

The token is the only credential a calendar app can send, so it is long and random, and
only its SHA-256 is kept: a copy of the database does not open anyone's calendar.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from mend.core import audit
from mend.processes.models import CalendarFeed
from mend.programs.models import Membership, Program

if TYPE_CHECKING:
    from mend.accounts.models import User

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()


def working_feed(user: User, program: Program) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).first()


def _revoke_locked(user: User, program: Program) -> bool:
    # The membership's row lock serialises two clicks at once (one working feed each).
    list(
        Membership.objects.select_for_update()
        .filter(user=user, program=program, ended_at__isnull=True)
        .values_list("pk", flat=True)
    )
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(
            user=user, program=program, revoked_at__isnull=True
        )
    )
    now = timezone.now()
    for feed in feeds:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
    return bool(feeds)


@transaction.atomic
def create_feed(*, membership: Membership) -> tuple[CalendarFeed, str]:
    """A new address for the member's own calendar; any earlier one stops working.
    Returns the feed and its token, which is never stored."""
    user = membership.user
    replaced = _revoke_locked(user, membership.program)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(
        user=user, program=membership.program, token_hash=hash_token(token)
    )
    audit.record(
        actor=user,
        action="calendar_feed.replaced" if replaced else "calendar_feed.created",
        obj=feed,
        program=membership.program,
    )
    return feed, token


@transaction.atomic
def revoke_feed(*, membership: Membership) -> bool:
    """Stop the member's address working at once. False when there was none."""
    revoked = _revoke_locked(membership.user, membership.program)
    if revoked:
        audit.record(
            actor=membership.user,
            action="calendar_feed.revoked",
            program=membership.program,
            changed_fields=["revoked_at"],
        )
    return revoked


def feed_membership(token: str) -> Membership | None:
    """The current membership whose working feed the token opens, or None: unknown or
    revoked token, a person no longer active, a role ended or no longer allowed it."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    # Found by its hash (an index lookup that says nothing about the token), then compared
    # in constant time.
    feed = (
        CalendarFeed.objects.filter(token_hash=digest, revoked_at__isnull=True)
        .select_related("user", "program")
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    if not feed.user.is_active:
        return None
    membership = (
        Membership.objects.active()
        .filter(user_id=feed.user_id, program_id=feed.program_id)
        .select_related("program", "user")
        .first()
    )
    if membership is None or not membership.can("calendar.view"):
        return None
    return membership

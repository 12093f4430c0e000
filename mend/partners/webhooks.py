"""Status webhooks: endpoints, the deliveries made when a referral changes, and sending them.

A delivery row is written in the transaction that changes the referral (through the
explicit hook in mend/cases/events.py) and the delivery task is enqueued once it commits.
Retries never depend on the task backend: `deliver_due_webhooks()` (run every minute by
`manage.py send_webhooks`) sends every pending delivery that is due. Each attempt first
"leases" its delivery by pushing next_attempt_at past the attempt's timeout, so the task
and the command never send the same delivery at the same moment.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.core import audit
from mend.core.models import AuditEvent
from mend.partners.models import WebhookDelivery, WebhookEndpoint
from mend.programs.models import Agency, Program

if TYPE_CHECKING:
    from mend.accounts.models import User
    from mend.cases.models import Referral

logger = logging.getLogger(__name__)

ACTOR_LABEL = "webhooks"
TIMEOUT_SECONDS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# While an attempt is under way its delivery is not due, so nobody else sends it.
LEASE = timedelta(minutes=2)
# Deliveries taken at a time: attempted well within one lease, even if all time out.
BATCH = 5
SECRET_PREFIX = "whsec_"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


# --- Endpoint URLs ------------------------------------------------------------------------


def _local_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL, if Mend may send to it: https to a public address.

    http:// to 127.0.0.1 or localhost is allowed only in development and tests.
    Raises ValidationError otherwise.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError(_("Enter a valid URL.")) from error
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationError(_("Enter a full URL starting with https://."))
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_("The URL must not contain a user name or password."))
    local = host in LOCAL_HOSTS and _local_allowed()
    if parts.scheme != "https" and not local:
        raise ValidationError(_("The URL must start with https://."))
    if local or not resolve:
        return url
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise ValidationError(_("The URL's host name could not be found.")) from error
    if not infos or not all(_public(str(info[4][0])) for info in infos):
        raise ValidationError(
            _("The URL must point to a public internet address, not a private network.")
        )
    return url


# --- Endpoints ----------------------------------------------------------------------------


@transaction.atomic
def register_endpoint(
    *, program: Program, agency: Agency, url: str, by: User | None
) -> WebhookEndpoint:
    """A new endpoint for the agency, replacing its active one. Its secret is on `.secret`."""
    errors: dict[str, list[str]] = {}
    if agency.program_id != program.pk or not agency.is_active:
        errors["agency"] = [_("Choose an active agency of this program.")]
    try:
        url = check_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    if errors:
        raise ValidationError(errors)
    for old in WebhookEndpoint.objects.select_for_update().filter(agency=agency, is_active=True):
        _deactivate(old, by=by)
    endpoint = WebhookEndpoint.objects.create(
        program=program,
        agency=agency,
        url=url,
        secret=SECRET_PREFIX + secrets.token_urlsafe(32),
        created_by=by,
    )
    audit.record(
        actor=by,
        action="webhook.endpoint_registered",
        obj=endpoint,
        program=program,
        agency=agency.name,
        url=url,
    )
    return endpoint


def _deactivate(endpoint: WebhookEndpoint, *, by: User | None) -> None:
    endpoint.is_active = False
    endpoint.deactivated_at = timezone.now()
    endpoint.save(update_fields=["is_active", "deactivated_at"])
    audit.record(
        actor=by,
        action="webhook.endpoint_deactivated",
        obj=endpoint,
        program=endpoint.program,
        changed_fields=["is_active"],
    )


@transaction.atomic
def deactivate_endpoint(*, endpoint: WebhookEndpoint, by: User | None) -> WebhookEndpoint:
    """No new deliveries to it; pending ones are still tried. Deactivating twice is a no-op."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.is_active:
        _deactivate(locked, by=by)
    endpoint.is_active, endpoint.deactivated_at = locked.is_active, locked.deactivated_at
    return endpoint


# --- Making deliveries --------------------------------------------------------------------


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def on_referral_status_changed(referral: Referral, event: str) -> None:
    """The listener registered with mend.cases.events: runs in the change's transaction."""
    from mend.api.schemas import follow  # the API's own status and outcome codes

    if referral.agency_id is None:
        return
    endpoint = WebhookEndpoint.objects.filter(
        program_id=referral.program_id, agency_id=referral.agency_id, is_active=True
    ).first()
    if endpoint is None:
        return
    state = follow(referral)
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        payload={
            "event": event,
            "referral_id": referral.pk,
            "reference": state["reference"],
            "status": state["status"],
            "outcome": state["outcome"],
            "occurred_at": _timestamp(now),
        },
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))


def _enqueue(delivery_id: int) -> None:
    from mend.partners.tasks import deliver_webhook

    try:
        deliver_webhook.enqueue(delivery_id)
    except Exception:  # the every-minute command sends it instead
        logger.exception("Could not enqueue webhook delivery %s", delivery_id)


# --- Sending ------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to a private address: treat it as a failed attempt."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery once. Returns (status code, short error) and never raises."""
    endpoint = delivery.endpoint
    try:
        check_url(endpoint.url)  # again: the name may resolve elsewhere by now
    except ValidationError as error:
        return None, " ".join(error.messages)[:200]
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    # check_url() allowed only https (or local http in development) above.
    request = urllib.request.Request(  # noqa: S310
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Mend-Webhooks/1",
            "Mend-Signature": sign(endpoint.secret, int(timezone.now().timestamp()), body),
            "Mend-Event-Id": str(delivery.event_id),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code}"
    except urllib.error.URLError as error:
        return None, f"Connection failed: {error.reason}"[:200]
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"[:200]
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}"


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling each time, at most an hour."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 20)), LONGEST_RETRY)


def _claim(now: datetime, *, delivery_id: int | None = None, limit: int = 1) -> list[int]:
    """Take due deliveries for one attempt each, skipping any another process holds.

    Taking one pushes its next_attempt_at past the attempt's timeout, so it is not due to
    anyone else meanwhile; if this process dies, it is due again once that lease ends.
    """
    with transaction.atomic():
        due = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        if delivery_id is not None:
            due = due.filter(pk=delivery_id)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        WebhookDelivery.objects.filter(
            pk__in=ids, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    return ids


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """One attempt at a due delivery. Returns its status after, or None if it was not due."""
    now = now or timezone.now()
    if not _claim(now, delivery_id=delivery_id):
        return None
    return _attempt(delivery_id)


def _attempt(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.select_related("endpoint__program").get(pk=delivery_id)
    code, error = _send(delivery)
    finished = timezone.now()
    with transaction.atomic():
        delivery.attempts += 1
        delivery.last_status_code = code
        delivery.last_error = error
        details: dict[str, Any] = {
            "event": delivery.event,
            "event_id": delivery.event_id,
            "attempt": delivery.attempts,
            "status_code": code if code is not None else "",
        }
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = finished
            delivery.next_attempt_at = None
            action, outcome = "webhook.delivered", AuditEvent.Outcome.SUCCESS
        else:
            following = finished + retry_delay(delivery.attempts)
            if following > delivery.created_at + GIVE_UP_AFTER:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                action = "webhook.gave_up"
            else:
                delivery.next_attempt_at = following
                action = "webhook.failed_attempt"
            outcome = AuditEvent.Outcome.FAILED
            details["error"] = error
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
        audit.record(
            actor=None,
            actor_label=ACTOR_LABEL,
            action=action,
            obj=delivery,
            program=delivery.endpoint.program,
            outcome=outcome,
            **details,
        )
    return delivery.status


def deliver_due_webhooks(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt every pending delivery that is due (at most `limit`), a few at a time.

    Returns how many ended in each status.
    """
    counts: dict[str, int] = {}
    done = 0
    while done < limit:
        ids = _claim(now or timezone.now(), limit=min(BATCH, limit - done))
        if not ids:
            break
        for delivery_id in ids:
            status = _attempt(delivery_id)
            counts[status] = counts.get(status, 0) + 1
        done += len(ids)
    return counts

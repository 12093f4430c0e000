"""Status webhooks, sent for real to a small HTTP server on 127.0.0.1 in this process."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.agreements import services as agreement_services
from mend.cases import services
from mend.cases.models import Case, Participant, Referral
from mend.cases.stages import Outcome, Stage
from mend.core.models import AuditEvent
from mend.partners.models import WebhookDelivery, WebhookEndpoint
from mend.partners.webhooks import check_url, deliver_due_webhooks, register_endpoint
from mend.testing.agreements import agreement_case, binding
from mend.testing.cases import parties, screen, submit, to_stage
from mend.testing.personas import World

Capture = Callable[..., Any]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    # Status codes to answer with, in order; 200 once they run out (or `always`).
    codes: list[int] = field(default_factory=list)
    always: int | None = None
    received: list[Received] = field(default_factory=list)

    def json(self, index: int = -1) -> dict[str, Any]:
        return json.loads(self.received[index].body)  # type: ignore[no-any-return]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(Received(dict(self.headers.items()), body))
            code = state.always or (state.codes.pop(0) if state.codes else 200)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/mend-hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def verify(secret: str, header: str, body: bytes, now: float) -> bool:
    """How a receiver checks a delivery, written from the documentation alone."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", "")) and now - timestamp <= 300


def _endpoint(world: World, receiver: Receiver) -> WebhookEndpoint:
    return register_endpoint(
        program=world.program, agency=world.police, url=receiver.url, by=world["program_admin"]
    )


def _accepted(world: World, capture: Capture) -> Case:
    case = screen(world, submit(world))
    with capture(execute=True):
        services.move_case(
            case=case, to=Stage.CONTACT, by=world["coordinator"], expected_version=None
        )
    return case


def test_a_delivery_is_signed_and_carries_the_api_status(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    endpoint = _endpoint(world, receiver)
    case = _accepted(world, django_capture_on_commit_callbacks)

    (got,) = receiver.received
    delivery = WebhookDelivery.objects.get()
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Mend-Event-Id"] == str(delivery.event_id)
    assert verify(
        endpoint.secret, got.headers["Mend-Signature"], got.body, timezone.now().timestamp()
    )
    assert not verify(
        "whsec_wrong", got.headers["Mend-Signature"], got.body, timezone.now().timestamp()
    )
    assert not verify(
        endpoint.secret, got.headers["Mend-Signature"], got.body + b" ", timezone.now().timestamp()
    )
    payload = receiver.json()
    assert set(payload) == {"event", "referral_id", "reference", "status", "outcome", "occurred_at"}
    assert payload["event"] == "referral.accepted"
    assert payload["referral_id"] == case.referral_id
    assert payload["reference"] == case.reference
    assert (payload["status"], payload["outcome"]) == ("accepted", None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    event = AuditEvent.objects.get(action="webhook.delivered")
    assert endpoint.secret not in str(event.details)
    assert "referral.accepted" in str(event.details)
    # The secret is stored encrypted.
    raw = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("secret", flat=True)
    assert list(raw) == [endpoint.secret]  # decrypted on the way out...
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM partners_webhookendpoint WHERE id = %s", [endpoint.pk])
        assert endpoint.secret not in cursor.fetchone()[0]  # ...but not in the column


def test_decline_process_start_and_close_send_their_events(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    _endpoint(world, receiver)
    by = world["coordinator"]
    capture = django_capture_on_commit_callbacks

    declined = screen(world, submit(world))
    with capture(execute=True):
        services.decline_referral(
            case=declined,
            reason=Referral.DeclineReason.NO_ADMISSION,
            note="x",
            by=by,
            expected_version=None,
        )
    assert receiver.json()["event"] == "referral.declined"
    assert (receiver.json()["status"], receiver.json()["outcome"]) == ("declined", "no_admission")

    case = submit(world)
    with capture(execute=True):
        to_stage(world, case, Stage.PROCESS)
    assert [json.loads(r.body)["event"] for r in receiver.received[1:]] == [
        "referral.accepted",
        "referral.process_started",
    ]
    assert receiver.json()["status"] == "in_progress"
    with capture(execute=True):
        services.close_case(
            case=case, outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT, by=by, expected_version=None
        )
    assert receiver.json()["event"] == "referral.closed"
    assert (receiver.json()["status"], receiver.json()["outcome"]) == (
        "closed",
        "completed_without_agreement",
    )

    withdrawn = _accepted(world, capture)
    with capture(execute=True):
        services.withdraw_participant(
            participant=parties(withdrawn, Participant.Role.HARMED)[0],
            method="verbal",
            reason="",
            by=by,
            expected_version=None,
        )
    assert receiver.json()["event"] == "referral.closed"
    assert receiver.json()["outcome"] == "withdrawn_by_harmed_party"
    assert WebhookDelivery.objects.filter(status="delivered").count() == len(receiver.received)


def test_failed_deliveries_are_retried_with_backoff(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    _endpoint(world, receiver)
    receiver.codes = [500, 500]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _accepted(world, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.next_attempt_at == delivery.created_at + timedelta(minutes=1)
        assert deliver_due_webhooks() == {}  # not due yet
        clock.shift(timedelta(seconds=61))
        assert deliver_due_webhooks() == {"pending": 1}
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == timezone.now() + timedelta(minutes=2)
        clock.shift(timedelta(minutes=1))
        call_command("send_webhooks", stdout=None)
        assert len(receiver.received) == 2  # still waiting
        clock.shift(timedelta(minutes=1, seconds=1))
        call_command("send_webhooks")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.next_attempt_at is None
    assert {r.headers["Mend-Event-Id"] for r in receiver.received} == {str(delivery.event_id)}
    actions = list(
        AuditEvent.objects.filter(action__startswith="webhook.")
        .exclude(action__startswith="webhook.endpoint")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["webhook.failed_attempt", "webhook.failed_attempt", "webhook.delivered"]


def test_a_receiver_that_always_fails_is_given_up_after_a_day(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    _endpoint(world, receiver)
    receiver.always = 503
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _accepted(world, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        for _round in range(60):
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            assert delivery.next_attempt_at is not None
            assert delivery.next_attempt_at - delivery.created_at <= timedelta(hours=24)
            clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
            deliver_due_webhooks()
    assert delivery.status == "failed"
    assert delivery.last_status_code == 503
    assert delivery.next_attempt_at is None
    # 1, 2, 4, ... 32 minutes, then hourly until the next would fall after 24 hours.
    assert 25 <= delivery.attempts == len(receiver.received) <= 30
    assert AuditEvent.objects.filter(action="webhook.gave_up").count() == 1


def test_no_active_endpoint_no_deliveries(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    _accepted(world, django_capture_on_commit_callbacks)
    endpoint = _endpoint(world, receiver)
    from mend.partners.webhooks import deactivate_endpoint

    deactivate_endpoint(endpoint=endpoint, by=None)
    _accepted(world, django_capture_on_commit_callbacks)
    # Another agency's endpoint does not hear about this agency's referrals.
    register_endpoint(
        program=world.other_program, agency=world.other_agency, url=receiver.url, by=None
    )
    _accepted(world, django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://example.org/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://user:pw@example.org/",
        "ftp://example.org/",
    ],
)
def test_urls_must_be_https_to_public_addresses(world: World, url: str) -> None:
    with pytest.raises(ValidationError):
        check_url(url)
    with pytest.raises(ValidationError):
        register_endpoint(program=world.program, agency=world.police, url=url, by=None)


def test_admins_register_and_see_deliveries_of_their_program_only(
    world: World,
    receiver: Receiver,
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    admin = client_for("program_admin")
    page = reverse("partners:webhooks")
    refused = admin.post(page, {"agency": world.police.pk, "url": "http://10.0.0.1/"})
    assert refused.status_code == 400
    assert not WebhookEndpoint.objects.exists()

    created = admin.post(page, {"agency": world.police.pk, "url": receiver.url})
    assert created.status_code == 200
    endpoint = WebhookEndpoint.objects.get(is_active=True)
    assert endpoint.secret in created.content.decode()
    case = _accepted(world, django_capture_on_commit_callbacks)

    theirs = register_endpoint(
        program=world.other_program, agency=world.other_agency, url=receiver.url, by=None
    )
    WebhookDelivery.objects.create(
        endpoint=theirs,
        event="referral.accepted",
        payload={"event": "referral.accepted", "reference": "OTHER-2026-0001"},
    )

    listing = admin.get(page).content.decode()
    assert case.reference in listing
    assert "OTHER-2026-0001" not in listing
    assert endpoint.secret not in listing
    outsider = client_for("outsider")
    assert case.reference not in outsider.get(page).content.decode()
    assert admin.post(reverse("partners:deactivate_webhook", args=[theirs.pk])).status_code == 404
    assert admin.post(reverse("partners:deactivate_webhook", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_an_agreement_reached_is_sent_with_its_status_and_nothing_of_what_was_agreed(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Capture
) -> None:
    _endpoint(world, receiver)
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        case = agreement_case(world)
        agreement = binding(world, case)
    reached = receiver.json()
    assert reached["event"] == "referral.agreement_reached"
    assert (reached["status"], reached["outcome"]) == ("agreement_reached", None)
    assert set(reached) == {"event", "referral_id", "reference", "status", "outcome", "occurred_at"}
    body = receiver.received[-1].body.decode()
    for detail in ["bicycle", "Apologise", "120", "restitution", "apology"]:
        assert detail not in body

    with capture(execute=True):
        for term in agreement.terms.all():
            agreement_services.set_term_status(
                term=term,
                status="waived",
                reason="Forgiven.",
                by=world["facilitator"],
                expected_version=None,
            )
        services.close_case(
            case=case,
            outcome=Outcome.COMPLETED_WITH_AGREEMENT,
            by=world["coordinator"],
            expected_version=None,
        )
    closed = receiver.json()
    assert (closed["event"], closed["status"], closed["outcome"]) == (
        "referral.closed",
        "closed",
        "completed_with_agreement",
    )
    assert [json.loads(r.body)["event"] for r in receiver.received].count(
        "referral.agreement_reached"
    ) == 1

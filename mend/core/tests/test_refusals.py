"""Refusals anyone can cause are counted per address, folded in the audit trail and then
limited, so nobody can flood the trail or guess without end."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.core.models import AuditEvent
from mend.core.refusals import count_refusal
from mend.testing.personas import PASSWORD, World


def test_a_hundred_requests_without_a_key_write_two_audit_rows_and_then_get_429(
    world: World,
) -> None:
    before = AuditEvent.objects.count()
    client = Client()
    statuses = [client.get("/api/v1/referrals").status_code for _ in range(100)]
    limit = settings.MEND_REFUSAL_LIMIT
    assert statuses[:limit] == [401] * limit
    assert set(statuses[limit:]) == {429}
    assert AuditEvent.objects.filter(action="api.auth.refused").count() == 1
    limited = AuditEvent.objects.get(action="refusals.limited")
    assert limited.details["repeated"] == str(limit)
    assert AuditEvent.objects.count() == before + 2
    last = client.get("/api/v1/referrals")
    assert 0 < int(last["Retry-After"]) <= settings.MEND_REFUSAL_WINDOW.total_seconds()


def test_fifty_sign_ins_with_made_up_usernames_write_two_audit_rows_and_then_wait(
    world: World,
) -> None:
    before = AuditEvent.objects.count()
    client = Client()
    responses = [
        client.post(
            reverse("accounts:sign_in"), {"username": f"nobody{i}", "password": "wrong guess"}
        )
        for i in range(50)
    ]
    limit = settings.MEND_REFUSAL_LIMIT
    assert [r.status_code for r in responses[:limit]] == [400] * limit
    assert {r.status_code for r in responses[limit:]} == {429}
    assert "Too many unsuccessful sign-ins from your network" in responses[-1].content.decode()
    assert "Retry-After" in responses[-1]
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 1
    assert AuditEvent.objects.filter(action="refusals.limited").count() == 1
    assert AuditEvent.objects.count() == before + 2


def test_a_right_password_still_signs_in_from_an_address_held_back_by_others_failures(
    world: World,
) -> None:
    client = Client()
    for i in range(settings.MEND_REFUSAL_LIMIT + 5):
        client.post(reverse("accounts:sign_in"), {"username": f"nobody{i}", "password": "x"})
    colleague = Client()
    response = colleague.post(
        reverse("accounts:sign_in"), {"username": "coordinator", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_failed_sign_ins_for_a_real_account_are_each_recorded(world: World) -> None:
    client = Client()
    client.post(reverse("accounts:sign_in"), {"username": "nobody", "password": "wrong guess"})
    for _ in range(3):
        client.post(
            reverse("accounts:sign_in"), {"username": "volunteer", "password": "wrong guess"}
        )
    events = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert sorted(events.values_list("actor_label", flat=True)) == ["nobody"] + ["volunteer"] * 3


def test_the_folded_count_is_recorded_when_the_address_comes_back_later(db: None) -> None:
    now = timezone.now()
    for _ in range(7):
        count_refusal(kind="test.refused", address="192.0.2.1", now=now)
    assert not AuditEvent.objects.filter(action="refusals.repeated").exists()
    later = count_refusal(
        kind="test.refused", address="192.0.2.1", now=now + settings.MEND_REFUSAL_WINDOW
    )
    assert later.first
    repeated = AuditEvent.objects.get(action="refusals.repeated")
    assert repeated.details["repeated"] == "6"
    assert repeated.details["kind"] == "test.refused"


def test_another_address_is_not_held_back_by_one_that_was_limited(db: None) -> None:
    now = timezone.now() - timedelta(seconds=1)
    for _ in range(settings.MEND_REFUSAL_LIMIT + 1):
        tally = count_refusal(kind="test.refused", address="192.0.2.1", now=now)
    assert tally.wait is not None
    other = count_refusal(kind="test.refused", address="192.0.2.2", now=now)
    assert other.first and other.wait is None

"""Several server processes at once: the rate limit and Idempotency-Key hold, because both
are kept in the database. Threads with their own database connections stand in for
gunicorn workers; PostgreSQL only (SQLite serialises every writer anyway)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from mend.api.tests.conftest import make_partner, referral_body
from mend.cases.models import Referral
from mend.core.models import AuditEvent
from mend.testing.personas import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)


def all_at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            results[index] = work()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@override_settings(MEND_API_RATE_LIMIT_PER_MINUTE=5)
def test_the_rate_limit_holds_across_concurrent_requests(transactional_db: None) -> None:
    from mend.testing.personas import build_world

    world: World = build_world()
    partner = make_partner(world)

    def call() -> int:
        response = Client().get("/api/v1/offence-categories", headers=partner.headers())
        return int(response.status_code)

    statuses = all_at_once(12, call)

    # All twelve land in the same minute unless the clock turns meanwhile.
    assert statuses.count(200) in (5, 10)
    assert set(statuses) <= {200, 429}


def test_one_referral_for_concurrent_retries_with_one_idempotency_key(
    transactional_db: None,
) -> None:
    from mend.testing.personas import build_world

    world: World = build_world()
    partner = make_partner(world)
    idempotency_key = str(uuid.uuid4())

    def send() -> tuple[int, int]:
        response = Client().post(
            "/api/v1/referrals",
            data=referral_body(),
            content_type="application/json",
            headers=partner.headers(**{"Idempotency-Key": idempotency_key}),
        )
        return response.status_code, response.json()["id"]

    results = all_at_once(6, send)

    assert {status for status, _ in results} == {201}
    assert len({referral_id for _, referral_id in results}) == 1
    assert Referral.objects.count() == 1
    assert AuditEvent.objects.filter(action="api.referral.created").count() == 1
    assert AuditEvent.objects.filter(action="api.referral.replayed").count() == 5

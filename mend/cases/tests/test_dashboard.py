"""The dashboard shows what needs doing next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.dashboard import add_working_days
from mend.cases.models import Participant
from mend.cases.stages import Stage
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World

Clients = Callable[[str], Client]


def panel(client: Client, key: str) -> str:
    body = client.get(reverse("programs:dashboard")).content.decode()
    start = body.index(f'id="{key}"')
    return body[start : body.index("</section>", start)]


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)
    assert add_working_days(friday, 5) == date(2026, 11, 27)


def test_new_referrals_wait_to_be_screened(world: World, client_for: Clients) -> None:
    case = submit(world)
    assert case.reference in panel(client_for("coordinator"), "to_screen")


def test_rj_offer_is_due_until_recorded_and_overdue_after_the_deadline(
    world: World, client_for: Clients
) -> None:
    case = submit(world)
    client = client_for("coordinator")
    assert case.reference in panel(client, "offers_due")
    assert "Overdue" not in panel(client, "offers_due")
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        # A new sign-in: the earlier session would have timed out by then.
        assert "Overdue" in panel(client_for("coordinator"), "offers_due")
    services.record_rj_offer(
        participant=parties(case, Participant.Role.HARMED)[0],
        offered_on=timezone.localdate(),
        channel="phone",
        response="considering",
        by=world["coordinator"],
        expected_version=None,
    )
    assert case.reference not in panel(client, "offers_due")


def test_consents_outstanding_lists_parties_not_yet_consenting(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    text = panel(client_for("coordinator"), "consents")
    assert text.count("consent to be contacted") == 2
    assert case.reference in text


def test_assessments_expiring_within_14_days_are_listed(world: World, client_for: Clients) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    client = client_for("facilitator")
    assert case.reference not in panel(client, "assessments")
    with time_machine.travel(timezone.now() + timedelta(days=80)):
        assert case.reference in panel(client_for("facilitator"), "assessments")
    with time_machine.travel(timezone.now() + timedelta(days=95)):
        assert case.reference not in panel(client_for("facilitator"), "assessments")


def test_my_cases_lists_the_cases_i_lead(world: World, client_for: Clients) -> None:
    led = to_stage(world, submit(world), Stage.SCREENING)
    other = submit(world)
    text = panel(client_for("facilitator"), "my_cases")
    assert led.reference in text and other.reference not in text


def test_referrers_and_analysts_see_no_case_panels(world: World, client_for: Clients) -> None:
    submit(world)
    for persona in ("referrer", "analyst"):
        body = client_for(persona).get(reverse("programs:dashboard")).content.decode()
        assert 'id="to_screen"' not in body and 'id="my_cases"' not in body


def test_dashboard_query_count_is_flat(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    client = client_for("coordinator")
    to_stage(world, submit(world), Stage.CONTACT)
    client.get(reverse("programs:dashboard"))
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("programs:dashboard"))
    for _ in range(15):
        to_stage(world, submit(world), Stage.CONTACT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("programs:dashboard"))

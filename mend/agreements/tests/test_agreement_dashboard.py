"""The dashboard's "Agreement terms" panel: the reader's own monitored terms that are
overdue or due soon, each count leading to the monitoring page, filtered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mend.agreements.models import Term
from mend.cases.models import Participant
from mend.testing.agreements import agreement_case, apology, restitution, service
from mend.testing.cases import parties
from mend.testing.monitoring import agreed, due, with_volunteer
from mend.testing.personas import World

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def panel(client: Client) -> str:
    body = client.get(reverse("programs:dashboard")).content.decode()
    start = body.index('id="agreement_terms"')
    return body[start : body.index("</section>", start)]


def test_the_panel_counts_my_overdue_and_due_soon_terms_and_links_to_them(
    world: World, client_for: Clients
) -> None:
    case = with_volunteer(world, agreement_case(world, responsible=2))
    first, second = parties(case, Participant.Role.RESPONSIBLE)
    agreed(world, case, [due(apology(world, case), 3), due(restitution(world, case), 5)], first)
    agreed(world, case, [due(apology(world, case), 30), due(service(world, case), 2)], second)
    # Made overdue directly: a term cannot be agreed with a date already past.
    Term.objects.filter(
        kind=Term.Kind.APOLOGY_SPOKEN, due_on__lt=case.created_at.date() + timedelta(days=4)
    ).update(due_on=case.created_at.date() - timedelta(days=1))
    mine = panel(client_for("facilitator"))
    assert "1 term you monitor" in mine  # overdue: the first apology
    assert "1 term you monitor" in mine.split("Due soon")[1]  # due soon: the restitution
    assert "?monitor=mine&amp;health=overdue" in mine
    assert "?monitor=mine&amp;health=due_soon" in mine
    assert '<span class="usa-tag">2</span>' in mine
    # The volunteer's service term is due soon; the facilitator's count leaves it out.
    theirs = panel(client_for("volunteer"))
    assert "health=due_soon" in theirs and "health=overdue" not in theirs


def test_the_panel_says_so_when_nothing_is_due(world: World, client_for: Clients) -> None:
    case = agreement_case(world)
    agreed(world, case, [due(apology(world, case), 30)], parties(case, "responsible")[0])
    assert "None of the terms you monitor is overdue or due soon." in panel(
        client_for("facilitator")
    )


def test_referrers_and_analysts_have_no_agreement_panel(world: World, client_for: Clients) -> None:
    for persona in ("referrer", "analyst"):
        body = client_for(persona).get(reverse("programs:dashboard")).content.decode()
        assert 'id="agreement_terms"' not in body


def test_the_panel_costs_the_same_queries_however_many_terms(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    case = agreement_case(world, responsible=6)
    people = parties(case, Participant.Role.RESPONSIBLE)
    client = client_for("facilitator")
    agreed(world, case, [due(apology(world, case), 2)], people[0])
    client.get(reverse("programs:dashboard"))
    with django_assert_max_num_queries(80) as few:
        client.get(reverse("programs:dashboard"))
    for person in people[1:]:
        agreed(
            world, case, [due(apology(world, case), 2), due(restitution(world, case), 3)], person
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "11 terms you monitor" in panel(client)

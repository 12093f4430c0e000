"""The monitoring page: every agreement in force the reader may see, and how it is going."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.agreements import ledger, progress, services
from mend.agreements.models import Agreement, Term
from mend.agreements.monitoring import monitoring_rows
from mend.cases.models import Case, Participant
from mend.programs.models import Membership
from mend.programs.roles import Role
from mend.programs.services import grant_membership
from mend.testing.agreements import (
    agreement_case,
    apology,
    binding,
    restitution,
    service,
)
from mend.testing.cases import parties, submit
from mend.testing.monitoring import agreed, closed, due, serve
from mend.testing.personas import World, make_user

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def membership(world: World, persona: str) -> Membership:
    return Membership.objects.get(program=world.program, user=world[persona], ended_at=None)


def page(client: Client, query: str = "") -> str:
    response = client.get(reverse("agreements:monitoring") + query)
    assert response.status_code == 200
    return response.content.decode()


def row(body: str, agreement: Agreement) -> str:
    start = body.index(f'id="agreement-{agreement.pk}"')
    return body[start : body.index("</tr>", start)]


def test_an_agreement_is_overdue_if_any_open_term_is_else_due_soon_else_on_track(
    world: World,
) -> None:
    case = agreement_case(world, responsible=3)
    people = parties(case, Participant.Role.RESPONSIBLE)
    # Seen two days from now: due yesterday, due in 7 days (soon), due in 8 (not yet).
    plans = {
        "overdue": [due(apology(world, case), 1), due(restitution(world, case), 30)],
        "due_soon": [due(apology(world, case), 9), due(restitution(world, case), 30)],
        "on_track": [due(apology(world, case), 10), due(restitution(world, case), 30)],
    }
    made = {
        health: agreed(world, case, terms, person)
        for person, (health, terms) in zip(people, plans.items(), strict=True)
    }
    later = timezone.localdate() + timedelta(days=2)
    rows = list(monitoring_rows(membership(world, "coordinator"), today=later, soon=7))
    found = {a.pk: a.health for a in rows}
    for health, agreement in made.items():
        assert found[agreement.pk] == health
        # The same words as each term's own health: the agreement's is its worst term's.
        terms = {progress.health(t, later, 7) for t in agreement.terms.all()}
        assert health in terms
        assert terms <= {health, progress.Health.ON_TRACK}
    # Overdue first, then due soon, then on track.
    assert [a.pk for a in rows] == [made[h].pk for h in ("overdue", "due_soon", "on_track")]


def test_a_term_done_with_counts_as_done_and_is_never_overdue(world: World) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [due(apology(world, case), 1), restitution(world, case)])
    spoken = agreement.terms.get(kind=Term.Kind.APOLOGY_SPOKEN)
    services.set_term_status(
        term=spoken, status=Term.Status.COMPLETED, by=world["facilitator"], expected_version=None
    )
    [found] = monitoring_rows(
        membership(world, "coordinator"), today=timezone.localdate() + timedelta(days=5), soon=7
    )
    assert (found.open_count, found.done_count, found.health) == (1, 1, "on_track")
    assert found.next_due == timezone.localdate() + timedelta(days=60)


def test_paid_and_verified_figures_count_corrections_and_only_verified_hours(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [restitution(world, case), service(world, case, hours=10)])
    money = agreement.terms.get(kind=Term.Kind.RESTITUTION)
    work = agreement.terms.get(kind=Term.Kind.COMMUNITY_SERVICE)
    by = world["coordinator"]
    kept = dict(paid_on=timezone.localdate(), method="cash", by=by, expected_version=None)
    ledger.record_payment(term=money, amount="50.00", **kept)
    wrong = ledger.record_payment(term=money, amount="20.00", **kept)
    ledger.correct_payment(payment=wrong, reason="Typed twice.", by=by, expected_version=None)
    serve(world, work, time(9), time(12, 30), verify=True)
    serve(world, work, time(13), time(14), verify=False)
    body = row(page(client_for("coordinator")), agreement)
    assert "50.00 / 120.00 USD" in body
    assert "3 h 30 min / 10 h" in body


def test_health_is_said_in_words_not_colour_alone(world: World, client_for: Clients) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [due(apology(world, case), 3)])
    assert ">Due soon</span>" in row(page(client_for("coordinator")), agreement)


def test_filtering_by_monitor_keeps_the_agreements_with_their_terms_and_counts_only_those(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world, responsible=2)
    first, second = parties(case, Participant.Role.RESPONSIBLE)
    # The apology is the facilitator's to monitor, the service the volunteer's.
    both = agreed(world, case, [apology(world, case), service(world, case)], first)
    facilitators = agreed(world, case, [restitution(world, case)], second)
    coordinator = client_for("coordinator")
    volunteer_id = world["volunteer"].pk
    body = page(coordinator, f"?monitor={volunteer_id}")
    assert f'id="agreement-{both.pk}"' in body
    assert f'id="agreement-{facilitators.pk}"' not in body
    assert "1 open, 0 done" in row(body, both)
    everyone = page(coordinator)
    assert "2 open, 0 done" in row(everyone, both)
    assert f'id="agreement-{facilitators.pk}"' in everyone


def test_a_facilitator_starts_from_their_own_terms_and_may_see_everyone_s(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [service(world, case)])  # the volunteer monitors it
    facilitator = client_for("facilitator")
    assert f'id="agreement-{agreement.pk}"' not in page(facilitator)
    assert f'id="agreement-{agreement.pk}"' in page(facilitator, "?monitor=anyone")
    assert f'id="agreement-{agreement.pk}"' in page(client_for("coordinator"))


def test_filtering_by_health_lists_only_agreements_in_that_state(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world, responsible=2)
    first, second = parties(case, Participant.Role.RESPONSIBLE)
    soon = agreed(world, case, [due(apology(world, case), 2)], first)
    later = agreed(world, case, [due(apology(world, case), 40)], second)
    body = page(client_for("coordinator"), "?health=due_soon")
    assert f'id="agreement-{soon.pk}"' in body and f'id="agreement-{later.pk}"' not in body
    body = page(client_for("coordinator"), "?health=on_track")
    assert f'id="agreement-{later.pk}"' in body and f'id="agreement-{soon.pk}"' not in body


def test_an_unknown_monitor_is_a_field_message_not_a_500(world: World, client_for: Clients) -> None:
    response = client_for("coordinator").get(reverse("agreements:monitoring") + "?monitor=999999")
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()


def test_only_agreements_in_force_in_open_cases_are_listed(world: World) -> None:
    case = agreement_case(world, responsible=2)
    first, second = parties(case, Participant.Role.RESPONSIBLE)
    in_force = agreed(world, case, [apology(world, case)], first)
    drafted = services.draft_agreement(
        case=case,
        responsible=second,
        terms=[apology(world, case)],
        by=world["facilitator"],
        expected_version=None,
    )
    listed = {
        a.pk
        for a in monitoring_rows(
            membership(world, "coordinator"), today=timezone.localdate(), soon=7
        )
    }
    assert in_force.pk in listed and drafted.pk not in listed
    closed(case)
    assert not monitoring_rows(
        membership(world, "coordinator"), today=timezone.localdate(), soon=7
    ).exists()


def test_a_facilitator_not_on_the_case_does_not_see_its_agreement(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [apology(world, case)])
    other = make_user("second_facilitator")
    grant_membership(user=other, program=world.program, role=Role.FACILITATOR, by=None)
    client = Client()
    client.force_login(other)
    body = page(client, "?monitor=anyone")
    assert f'id="agreement-{agreement.pk}"' not in body and case.reference not in body
    assert f'id="agreement-{agreement.pk}"' in page(client_for("facilitator"), "?monitor=anyone")
    # The volunteer is not assigned to this case either.
    assert case.reference not in page(client_for("volunteer"), "?monitor=anyone")


def test_another_programs_agreements_never_appear(world: World, client_for: Clients) -> None:
    ours = agreement_case(world)
    agreement = binding(world, ours, [apology(world, ours)])
    theirs = submit(world, program=world.other_program, by=world["outsider"])
    elsewhere = Agreement.objects.create(
        case=theirs,
        responsible=parties(theirs, Participant.Role.RESPONSIBLE)[0],
        status=Agreement.Status.BINDING,
        created_by=world["outsider"],
    )
    Case.objects.filter(pk=theirs.pk).update(stage="agreement")
    outsider = page(client_for("outsider"), "?monitor=anyone")
    assert f'id="agreement-{elsewhere.pk}"' in outsider
    assert ours.reference not in outsider
    for persona in ("coordinator", "program_admin"):
        body = page(client_for(persona), "?monitor=anyone")
        assert f'id="agreement-{agreement.pk}"' in body
        assert theirs.reference not in body


def test_the_page_is_paginated(world: World, client_for: Clients) -> None:
    from mend.agreements import monitoring_views

    case = agreement_case(world, responsible=3)
    for person in parties(case, Participant.Role.RESPONSIBLE):
        agreed(world, case, [apology(world, case)], person)
    original = monitoring_views.PAGE_SIZE
    monitoring_views.PAGE_SIZE = 2
    try:
        first = page(client_for("coordinator"))
        second = page(client_for("coordinator"), "?monitor=anyone&page=2")
    finally:
        monitoring_views.PAGE_SIZE = original
    assert first.count('id="agreement-') == 2 and second.count('id="agreement-') == 1
    assert "3 agreements" in first
    assert "monitor=anyone&amp;page=2" in first


def test_the_page_costs_the_same_queries_for_2_agreements_as_for_25(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    case = agreement_case(world, responsible=25)
    people = parties(case, Participant.Role.RESPONSIBLE)
    where = None
    for number, person in enumerate(people):
        terms = [restitution(world, case), service(world, case, where=where)]
        agreement = agreed(world, case, terms, person)
        money = agreement.terms.get(kind=Term.Kind.RESTITUTION)
        work = agreement.terms.get(kind=Term.Kind.COMMUNITY_SERVICE)
        where = work.placement
        for _payment in range(2):
            ledger.record_payment(
                term=money,
                amount="5.00",
                paid_on=timezone.localdate(),
                method="cash",
                by=world["coordinator"],
                expected_version=None,
            )
        serve(world, work, time(9), time(10), verify=True)
        serve(world, work, time(10), time(11), verify=True)
        if number == 1:
            client = client_for("coordinator")
            page(client)
            with django_assert_max_num_queries(30) as few:
                assert page(client).count('id="agreement-') == 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = page(client)
    assert body.count('id="agreement-') == 25
    # Each row's figures are its own agreement's (two payments, two sessions each).
    assert body.count("10.00 / 120.00 USD") == 25 and body.count("2 h / 10 h") == 25

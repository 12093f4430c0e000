"""Long lists stay fast: a name is found on an index whatever its accents and case, and
the case list, the referral list and the audit trail never count past their cap."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from mend.cases.models import Participant, Person
from mend.cases.tests.test_pages import make_cases
from mend.core.pagination import CappedPaginator
from mend.testing.cases import parties, submit
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

Clients = Any


def _named(world: World, given: str, family: str, **kwargs: Any) -> Any:
    case = submit(world, **kwargs)
    person = parties(case, Participant.Role.HARMED)[0].person
    person.given_name, person.family_name = given, family
    person.save(update_fields=["given_name", "family_name"])
    return case


def _listed(client: Client, text: str) -> str:
    response = client.get(reverse("cases:list"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_a_name_is_found_whatever_its_accents_case_and_spacing(
    world: World, client_for: Clients
) -> None:
    case = _named(world, "José Luis", "Gutiérrez")
    other = submit(world)
    client = client_for("coordinator")
    for text in ("gutierrez", "GUTIÉRREZ", "jose  luis", "José Luis Gutiérrez", "luis gut"):
        body = _listed(client, text)
        assert case.reference in body, text
        assert other.reference not in body, text
    assert case.reference not in _listed(client, "Gutierrex")


def test_a_case_is_found_by_part_of_its_reference(world: World, client_for: Clients) -> None:
    case = submit(world)
    body = _listed(client_for("coordinator"), case.reference.split("-", 1)[1].lower())
    assert case.reference in body


def test_the_name_searched_follows_every_change_of_name(world: World) -> None:
    case = _named(world, "Ana", "Núñez")
    person = Person.objects.get(pk=parties(case, Participant.Role.HARMED)[0].person_id)
    assert person.search_name == "ana nunez"
    person.family_name = "Ortiz"
    person.save(update_fields=["family_name"])
    person.refresh_from_db()
    assert person.search_name == "ana ortiz"


def test_another_programs_people_never_match(world: World, client_for: Clients) -> None:
    ours = _named(world, "Tamsin", "Quigley")
    theirs = _named(world, "Tamsin", "Quigley", program=world.other_program)
    body = _listed(client_for("coordinator"), "quigley")
    assert ours.reference in body
    assert theirs.reference not in body


def test_name_search_costs_the_same_queries_for_5_and_40_matching_cases(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    client = client_for("coordinator")

    def queries() -> int:
        client.get(reverse("cases:list"), {"q": "harmed"})
        with django_assert_max_num_queries(40) as captured:
            assert client.get(reverse("cases:list"), {"q": "harmed"}).status_code == 200
        return len(captured.captured_queries)

    make_cases(world, 5)
    few = queries()
    make_cases(world, 35)
    assert queries() == few


def test_a_paginator_counts_no_further_than_its_cap(world: World) -> None:
    make_cases(world, 5)
    people = Person.objects.order_by("pk")
    capped = CappedPaginator(people, 2, cap=4)
    assert capped.count == 4 and capped.capped and capped.num_pages == 2
    exact = CappedPaginator(people, 2, cap=100)
    assert exact.count == people.count() and not exact.capped


@override_settings(MEND_LIST_COUNT_CAP=3)
@pytest.mark.parametrize(
    ("persona", "url", "says"),
    [
        ("coordinator", "cases:list", "More than 3 cases"),
        ("coordinator", "cases:referral_list", "More than 3 referrals"),
        ("program_admin", "programs:audit_log", "More than 3 events"),
    ],
)
def test_past_the_cap_a_long_list_says_more_than_and_stops_its_pages(
    world: World, client_for: Clients, persona: str, url: str, says: str
) -> None:
    make_cases(world, 5)
    client = client_for(persona)
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert says in response.content.decode()
    paginator = response.context["page"].paginator
    assert paginator.count == 3 and paginator.capped
    assert len(response.context["page"].object_list) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_on_postgresql_name_and_reference_search_can_use_their_trigram_indexes(
    world: World,
) -> None:
    submit(world)
    searches = {
        "person_search_trgm": "SELECT id FROM cases_person WHERE search_name LIKE '%%nakam%%'",
        "case_reference_trgm": (
            "SELECT id FROM cases_case WHERE UPPER(reference::text) LIKE UPPER('%%2026-00%%')"
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for index, sql in searches.items():
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan

"""The load generator: the cases asked for, the same data for the same seed, encrypted
values that decrypt, keys that hold, and copies that open like any case."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from mend.accounts.models import User
from mend.cases.models import Case, Participant, Person, Referral
from mend.core.models import AuditEvent
from mend.core.search import folded
from mend.programs.models import Program

pytestmark = pytest.mark.django_db

CASES, TEMPLATES = 24, 6


def _generate(program: str, seed: int) -> Program:
    call_command(
        "generate_load",
        cases=CASES,
        templates=TEMPLATES,
        seed=seed,
        program=program,
        stdout=StringIO(),
    )
    return Program.objects.get(slug=program)


def _fingerprint(program: Program) -> list[tuple[Any, ...]]:
    """What a copy is made of, without the keys and names that differ between programs."""
    cases = Case.objects.filter(program=program).order_by("year", "number")
    return [
        (
            case.year,
            case.number,
            case.stage,
            case.outcome,
            case.referral.incident_date,
            case.referral.summary,
            sorted(
                (p.role, p.person.given_name, p.person.family_name, p.person.date_of_birth)
                for p in case.participants.select_related("person")
            ),
            case.notes.count(),
            sorted(case.meetings.values_list("kind", flat=True)),
        )
        for case in cases.select_related("referral")
    ]


def test_the_generator_fills_the_program_with_the_cases_asked_for_and_their_records() -> None:
    program = _generate("load-a", seed=5)
    cases = Case.objects.filter(program=program)
    assert cases.count() == CASES
    assert Referral.objects.filter(program=program).count() == CASES
    # Every copy has its people, its consent ledger, its notes and its audit trail.
    assert not cases.filter(participants__isnull=True).exists()
    assert not cases.exclude(stage="referral").filter(notes__isnull=True).exists()
    copied = cases.order_by("pk")[TEMPLATES:]
    for case in copied:
        events = AuditEvent.objects.filter(subject_type="cases.case", subject_id=str(case.pk))
        assert events.exists(), case.reference
    assert len({case.reference for case in cases}) == CASES
    assert not Case.objects.exclude(program=program).exists()


def test_the_same_seed_gives_the_same_cases_and_another_seed_other_ones() -> None:
    first = _fingerprint(_generate("load-a", seed=5))
    assert first == _fingerprint(_generate("load-b", seed=5))
    assert first != _fingerprint(_generate("load-c", seed=6))


def test_encrypted_values_are_stored_encrypted_and_read_back() -> None:
    program = _generate("load-a", seed=5)
    people = Person.objects.filter(program=program)
    assert people.count() == Participant.objects.filter(case__program=program).count()
    assert all(person.phone.startswith("555-01") for person in people if person.phone)
    # Copies get new names, and the name a search reads follows them.
    assert all(person.search_name == folded(person.full_name) for person in people)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, address FROM cases_person WHERE program_id = %s", [program.pk]
        )
        stored = cursor.fetchall()
    assert stored and all(v.startswith("enc1:") for row in stored for v in row)
    summaries = Referral.objects.filter(program=program).values_list("summary", flat=True)
    assert any(summaries)  # each decrypted (a wrong token raises), and not all empty


def test_every_key_of_a_copy_points_at_a_row_that_exists() -> None:
    _generate("load-a", seed=5)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Keys are checked at commit, which a test never reaches: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


def test_rows_saved_after_the_load_get_keys_of_their_own() -> None:
    program = _generate("load-a", seed=5)
    person = Person.objects.create(program=program, given_name="After", family_name="Load")
    assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk")[0].pk


def test_a_second_run_adds_only_the_cases_missing() -> None:
    program = _generate("load-a", seed=5)
    call_command(
        "generate_load", cases=CASES + 5, templates=TEMPLATES, program="load-a", stdout=StringIO()
    )
    assert Case.objects.filter(program=program).count() == CASES + 5


def test_copies_open_for_the_program_coordinator(client: Any) -> None:
    program = _generate("load-a", seed=5)
    client.force_login(User.objects.get(username="load-a-coordinator"))
    for case in Case.objects.filter(program=program).order_by("-pk")[:5]:
        response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        assert case.reference in response.content.decode()


def test_the_generator_refuses_to_run_in_production() -> None:
    with (
        override_settings(DEBUG=False, DEMO_MODE=False, TESTING=False),
        pytest.raises(CommandError, match="DJANGO_DEBUG=1"),
    ):
        call_command("generate_load", cases=10, stdout=StringIO())
    assert not Program.objects.filter(slug="load").exists()

"""The audit trail: one row per service call, in the same transaction, append-only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from mend.accounts import services as account_services
from mend.core import audit
from mend.core.models import AppendOnlyError, AuditEvent
from mend.programs import services as program_services
from mend.programs.models import Agency, Program
from mend.programs.roles import Role
from mend.testing.personas import World, make_user


def count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


SERVICE_CALLS: dict[str, Callable[[World], object]] = {
    "program.created": lambda w: program_services.create_program(
        name="New", slug="new", by=w["program_admin"]
    ),
    "program.settings_changed": lambda w: program_services.update_program_settings(
        program=w.program, by=w["program_admin"], assessment_validity_days=60
    ),
    "offence_category.created": lambda w: program_services.add_offence_category(
        program=w.program,
        by=w["program_admin"],
        expected_version=None,
        label="Online harm",
        handling="eligible",
    ),
    "offence_category.deactivated": lambda w: program_services.change_offence_category(
        category=w.program.offence_categories.get(code="fraud"),
        by=w["program_admin"],
        expected_version=None,
        is_active=False,
    ),
    "eligibility_criterion.created": lambda w: program_services.add_eligibility_criterion(
        program=w.program, by=w["program_admin"], expected_version=None, label="Over ten"
    ),
    "eligibility_criterion.changed": lambda w: program_services.change_eligibility_criterion(
        criterion=w.program.eligibility_criteria.get(code="reported"),
        by=w["program_admin"],
        expected_version=None,
        label_es="Se denunció el daño.",
    ),
    "retention.changed": lambda w: program_services.update_retention(
        program=w.program, by=w["program_admin"], expected_version=None, months={"evaluation": 12}
    ),
    "agency.created": lambda w: program_services.add_agency(
        program=w.program, name="Riverside Schools", kind=Agency.Kind.SCHOOL, by=w["coordinator"]
    ),
    "membership.granted": lambda w: program_services.grant_membership(
        user=make_user("newcomer"), program=w.program, role=Role.VOLUNTEER, by=w["program_admin"]
    ),
    "membership.role_changed": lambda w: program_services.grant_membership(
        user=w["volunteer"], program=w.program, role=Role.FACILITATOR, by=w["program_admin"]
    ),
    "membership.ended": lambda w: program_services.end_membership(
        membership=w.program.memberships.get(user=w["analyst"]), by=w["program_admin"]
    ),
    "account.created": lambda w: account_services.create_user(
        username="someone", password=None, by=w["program_admin"]
    ),
    "account.deactivated": lambda w: account_services.deactivate_user(
        user=w["volunteer"], by=w["program_admin"]
    ),
    "account.language_changed": lambda w: account_services.set_preferred_language(
        user=w["volunteer"], language="es"
    ),
    "mfa.recovery_codes_replaced": lambda w: account_services.regenerate_recovery_codes(
        user=w["volunteer"]
    ),
    "mfa.removed": lambda w: account_services.remove_two_factor(
        user=w["volunteer"], by=w["volunteer"]
    ),
}


@pytest.mark.parametrize("action", sorted(SERVICE_CALLS))
def test_each_service_call_writes_exactly_one_audit_row(world: World, action: str) -> None:
    before = count(action)
    SERVICE_CALLS[action](world)
    assert count(action) == before + 1


def test_role_change_records_who_and_which_roles_but_no_values_of_fields(world: World) -> None:
    program_services.grant_membership(
        user=world["volunteer"],
        program=world.program,
        role=Role.FACILITATOR,
        by=world["program_admin"],
    )
    event = AuditEvent.objects.filter(action="membership.role_changed").get()
    assert event.actor == world["program_admin"]
    assert event.program == world.program
    assert event.details["previous_role"] == Role.VOLUNTEER
    assert event.details["role"] == Role.FACILITATOR
    assert set(event.changed_fields) == {"role", "agency", "expires_on"}


def test_audit_row_rolls_back_with_the_change_it_describes(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        program_services.add_agency(
            program=world.program, name="Doomed", kind=Agency.Kind.OTHER, by=world["coordinator"]
        )
        raise RuntimeError("something later in the request failed")
    assert AuditEvent.objects.count() == before
    assert not Agency.objects.filter(name="Doomed").exists()


def test_invalid_input_to_a_service_changes_nothing_and_audits_nothing(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - Django raises ValidationError
        program_services.grant_membership(
            user=world["volunteer"], program=world.program, role=Role.REFERRER, by=None
        )
    assert AuditEvent.objects.count() == before
    assert world.program.memberships.get(user=world["volunteer"], ended_at__isnull=True)


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(world: World) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_audit_rows_in_sql(world: World) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    for statement in (
        "UPDATE core_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_record_strips_line_breaks_from_labels_and_details(world: World) -> None:
    event = audit.record(
        actor=None, actor_label="evil\r\nname", action="test.event", note="two\nlines"
    )
    assert event.actor_label == "evilname"
    assert event.details["note"] == "twolines"


def test_refused_page_writes_a_denied_audit_row(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("facilitator").get(reverse("programs:audit_log"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.actor == world["facilitator"]
    assert event.program == world.program


def test_audit_page_shows_only_this_programs_events(
    world: World, client_for: Callable[[str], Client]
) -> None:
    program_services.add_agency(
        program=world.other_program, name="Secret Agency", kind=Agency.Kind.OTHER, by=None
    )
    program_services.add_agency(
        program=world.program, name="Our Agency", kind=Agency.Kind.OTHER, by=world["coordinator"]
    )
    body = client_for("coordinator").get(reverse("programs:audit_log")).content.decode()
    assert "added the referring agency Our Agency" in body
    assert "Secret Agency" not in body


def test_audit_page_filters_by_action_who_and_dates(
    world: World, client_for: Callable[[str], Client]
) -> None:
    program_services.update_program_settings(
        program=world.program, by=world["program_admin"], assessment_validity_days=30
    )
    client = client_for("coordinator")
    url = reverse("programs:audit_log")
    settings_changed = "changed the program settings: safety assessment stays current for (days)"
    body = client.get(url, {"kind": "program"}).content.decode()
    assert settings_changed in body
    body = client.get(url, {"kind": "accounts"}).content.decode()
    assert settings_changed not in body
    body = client.get(url, {"who": "program_admin"}).content.decode()
    assert settings_changed in body
    body = client.get(url, {"who": "coordinator"}).content.decode()
    assert settings_changed not in body
    bad = client.get(url, {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 400
    assert "The end date must be on or after the start date." in bad.content.decode()
    assert client.get(url, {"since": "not a date"}).status_code == 400


def test_audit_page_query_count_does_not_grow_with_events(
    world: World, client_for: Callable[[str], Client], django_assert_max_num_queries: Callable
) -> None:
    client = client_for("coordinator")
    url = reverse("programs:audit_log")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(120):
        audit.record(actor=world["coordinator"], action=f"test.event{i}", program=world.program)
    baseline = len(few.captured_queries)
    with django_assert_max_num_queries(baseline):
        client.get(url)
    with django_assert_max_num_queries(baseline):
        client.get(url, {"page": 3})


def test_program_delete_is_blocked_while_audit_rows_point_at_it(world: World) -> None:
    with pytest.raises(Exception):  # noqa: B017 - ProtectedError
        Program.objects.filter(pk=world.program.pk).delete()

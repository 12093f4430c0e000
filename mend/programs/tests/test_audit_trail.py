"""The program's audit trail page: sentences, links, local times, and only what it may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from mend.cases.models import ConsentEntry
from mend.core import audit
from mend.core.models import AuditEvent
from mend.programs import services
from mend.programs.models import ConsentPurpose, Membership
from mend.programs.roles import Role
from mend.testing.cases import consent_all, screen, submit
from mend.testing.personas import World, make_user

Clients = Callable[[str], Client]
URL = reverse("programs:audit_log")


def _page(client: Client, **query: Any) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_case_events_link_to_the_case_and_times_are_in_the_programs_time_zone(
    world: World, client_for: Clients
) -> None:
    world.program.time_zone = "America/Denver"
    world.program.save(update_fields=["time_zone"])
    case = submit(world)
    body = _page(client_for("coordinator"))
    link = f'<a href="{case.get_absolute_url()}">{case.reference}</a>'
    assert f"Referrer opened case {link}" in body
    opened = AuditEvent.objects.filter(action="case.opened").latest("id").occurred_at
    with translation.override("en"):
        denver = date_format(
            timezone.localtime(opened, ZoneInfo("America/Denver")), "DATETIME_FORMAT"
        )
        utc = date_format(timezone.localtime(opened, ZoneInfo("UTC")), "DATETIME_FORMAT")
    assert denver != utc
    assert denver in body
    assert utc not in body
    assert "time zone (America/Denver)" in body


def test_the_page_reads_in_spanish_for_a_spanish_reader(world: World, client_for: Clients) -> None:
    case = submit(world)
    world["coordinator"].preferred_language = "es"
    world["coordinator"].save(update_fields=["preferred_language"])
    body = _page(client_for("coordinator"))
    assert f'Referrer abrió el caso <a href="{case.get_absolute_url()}">' in body
    assert "Qué ocurrió" in body


def test_the_query_count_does_not_grow_with_the_number_of_events(
    world: World, client_for: Clients, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    cases = [submit(world) for _ in range(2)]
    for case in cases:
        consent_all(world, case, ConsentPurpose.CONTACT)
    entries = list(ConsentEntry.objects.select_related("participant__case"))

    def add_events(count: int) -> None:
        # More of the same kinds of event, each naming a real consent entry and case.
        for i in range(count):
            entry = entries[i % len(entries)]
            audit.record(
                actor=world["coordinator"],
                action="consent.withdrawn",
                obj=entry,
                subject=entry.participant.case,
                program=world.program,
                purpose=entry.purpose,
                participant=entry.participant_id,
            )
            audit.record(actor=world["facilitator"], action="auth.signed_in", ip="10.0.0.1")

    client = client_for("coordinator")
    add_events(5)
    _page(client)  # warm the session
    with django_assert_max_num_queries(100) as ten:
        body = _page(client)
    assert body.count("withdrew consent to be contacted") == 5
    add_events(25)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        body = _page(client)
    # The newest 50 of 60: half of them the consent entries.
    assert body.count("withdrew consent to be contacted") == 25


def test_account_events_show_only_from_while_the_persons_role_here_lasted(
    world: World, client_for: Clients
) -> None:
    newcomer = make_user("newcomer")
    audit.record(actor=newcomer, action="auth.signed_in", ip="10.9.9.1")
    audit.record(
        actor=None,
        actor_label="newcomer",
        action="auth.sign_in_failed",
        obj=newcomer,
        ip="10.9.9.2",
    )
    membership = services.grant_membership(
        user=newcomer, program=world.program, role=Role.FACILITATOR, by=world["program_admin"]
    )
    audit.record(actor=newcomer, action="auth.signed_in", ip="10.9.9.3")
    audit.record(
        actor=None,
        actor_label="newcomer",
        action="auth.sign_in_failed",
        obj=newcomer,
        ip="10.9.9.4",
    )
    services.end_membership(membership=membership, by=world["program_admin"])
    audit.record(actor=newcomer, action="auth.signed_in", ip="10.9.9.5")
    body = _page(client_for("program_admin"), kind="accounts")
    assert "Newcomer signed in (from 10.9.9.3)" in body
    assert "A sign-in as newcomer failed (from 10.9.9.4)" in body
    for before_or_after in ("10.9.9.1", "10.9.9.2", "10.9.9.5"):
        assert before_or_after not in body
    roles = _page(client_for("program_admin"), kind="program")
    assert "Program_Admin gave Newcomer the role Facilitator" in roles
    assert "Program_Admin ended the role Facilitator of Newcomer" in roles
    # The outsider's sign-ins (another program's administrator) never show here.
    audit.record(actor=world["outsider"], action="auth.signed_in", ip="10.9.9.6")
    assert "10.9.9.6" not in _page(client_for("program_admin"))


def test_a_role_that_starts_later_does_not_show_what_came_before_it(
    world: World, client_for: Clients
) -> None:
    later = make_user("later")
    Membership.objects.create(
        user=later,
        program=world.program,
        role=Role.VOLUNTEER,
        starts_on=timezone.localdate() + timedelta(days=3),
    )
    audit.record(actor=later, action="auth.signed_in", ip="10.8.8.8")
    assert "10.8.8.8" not in _page(client_for("program_admin"))


def test_an_overrides_written_justification_can_be_read_in_the_audit_trail(
    world: World, client_for: Clients
) -> None:
    case = screen(world, submit(world), passed=False, override="Specialist facilitator assigned.")
    body = _page(client_for("coordinator"), kind="cases")
    assert f'accepted the offence category of case <a href="{case.get_absolute_url()}">' in body
    assert "Justification: Specialist facilitator assigned." in body

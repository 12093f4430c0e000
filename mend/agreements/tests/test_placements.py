"""The program's placements: added, changed and retired (never deleted) by coordinators,
read by the staff who follow community service, each with a checked weekly schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mend.agreements import placement_services
from mend.agreements.models import Placement
from mend.core.audit_sentences import describe
from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.testing.personas import World

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]

DETAILS = {
    "organisation": "Riverside Community Trust",
    "name": "Food Bank",
    "address": "12 Market Street",
    "contact_name": "Pat Placement",
    "contact_email": "pat@foodbank.example",
    "contact_phone": "0100 000 000",
}


def _add(world: World, schedule: list[dict[str, Any]] | None = None, **details: str) -> Placement:
    return placement_services.add_placement(
        program=world.program,
        details={**DETAILS, **details},
        schedule=schedule or [],
        by=world["coordinator"],
        expected_version=None,
    )


def _form(version: int, rows: list[tuple[str, str, str]] = (), **fields: str) -> dict[str, Any]:  # type: ignore[assignment]
    data: dict[str, Any] = {
        **DETAILS,
        "version": version,
        "submission": new_token(),
        "schedule-TOTAL_FORMS": str(max(len(rows), 1)),
        "schedule-INITIAL_FORMS": "0",
        **fields,
    }
    for number, (day, start, end) in enumerate(rows):
        data.update(
            {
                f"schedule-{number}-weekday": day,
                f"schedule-{number}-start": start,
                f"schedule-{number}-end": end,
            }
        )
    return data


def test_a_coordinator_adds_a_placement_with_its_weekly_schedule_through_the_page(
    world: World, client_for: Clients
) -> None:
    client = client_for("coordinator")
    response = client.post(
        reverse("agreements:add_placement"),
        _form(world.program.version, [("5", "13:00", "16:00"), ("5", "09:00", "12:00")]),
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    # Kept sorted, on the program's clock, as text.
    assert placement.schedule == [
        {"weekday": 5, "from": "09:00", "until": "12:00"},
        {"weekday": 5, "from": "13:00", "until": "16:00"},
    ]
    event = AuditEvent.objects.get(action="placement.created")
    assert "Food Bank" in str(describe(event))
    listing = client_for("volunteer").get(reverse("agreements:placements")).content.decode()
    assert "Food Bank" in listing and "Saturday, 09:00 to 12:00" in listing


def test_a_time_that_ends_before_it_starts_is_refused_next_to_its_row(
    world: World, client_for: Clients
) -> None:
    response = client_for("coordinator").post(
        reverse("agreements:add_placement"), _form(world.program.version, [("1", "12:00", "09:00")])
    )
    assert response.status_code == 400
    assert "The time must end after it starts." in response.content.decode()
    assert not Placement.objects.exists()


def test_overlapping_times_on_one_day_are_refused_and_nothing_is_saved(
    world: World, client_for: Clients
) -> None:
    response = client_for("coordinator").post(
        reverse("agreements:add_placement"),
        _form(world.program.version, [("2", "09:00", "12:00"), ("2", "11:00", "14:00")]),
    )
    assert response.status_code == 400
    assert "Two times on Wednesday overlap" in response.content.decode()
    assert "data-error-summary" in response.content.decode()
    assert not Placement.objects.exists()


def test_a_row_half_filled_asks_for_the_rest(world: World, client_for: Clients) -> None:
    response = client_for("coordinator").post(
        reverse("agreements:add_placement"), _form(world.program.version, [("3", "09:00", "")])
    )
    assert response.status_code == 400
    assert "Give the day and both times, or leave the row empty." in response.content.decode()


def test_the_service_refuses_overlaps_and_backwards_times_whatever_the_form_let_through(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as overlap:
        _add(
            world,
            [
                {"weekday": 0, "from": time(9), "until": time(12)},
                {"weekday": 0, "from": time(10), "until": time(11)},
            ],
        )
    assert "overlap" in overlap.value.message_dict["schedule"][0]
    with pytest.raises(ValidationError):
        _add(world, [{"weekday": 0, "from": time(12), "until": time(9)}])
    with pytest.raises(ValidationError):
        _add(world, [{"weekday": 9, "from": time(9), "until": time(12)}])
    # Touching times are two times, not an overlap.
    placement = _add(
        world,
        [
            {"weekday": 0, "from": time(9), "until": time(12)},
            {"weekday": 0, "from": time(12), "until": time(13)},
        ],
    )
    assert len(placement.schedule) == 2


def test_two_placements_in_use_cannot_share_a_name(world: World) -> None:
    _add(world)
    with pytest.raises(ValidationError) as refused:
        _add(world, name="food bank")
    assert "name" in refused.value.message_dict


def test_a_change_is_checked_against_the_version_the_form_was_opened_on(
    world: World, client_for: Clients
) -> None:
    placement = _add(world)
    url = reverse("agreements:change_placement", args=[placement.pk])
    client = client_for("coordinator")
    stale = _form(placement.version, name="Old name form")
    assert client.post(url, _form(placement.version, name="Food Bank North")).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 409
    placement.refresh_from_db()
    assert placement.name == "Food Bank North"
    assert AuditEvent.objects.filter(action="placement.changed").count() == 1


def test_retiring_keeps_the_placement_and_its_sessions_and_stops_its_link(
    world: World, client_for: Clients
) -> None:
    placement = _add(world)
    placement, _token = placement_services.make_verify_link(
        placement=placement, by=None, expected_version=None
    )
    response = client_for("coordinator").post(
        reverse("agreements:retire_placement", args=[placement.pk]),
        {"version": placement.version, "submission": new_token()},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert not placement.is_active
    assert placement.verify_token_hash == ""
    listing = client_for("facilitator").get(reverse("agreements:placements")).content.decode()
    assert "Retired" in listing


def test_facilitators_and_volunteers_read_the_list_but_may_not_change_it(
    world: World, client_for: Clients
) -> None:
    placement = _add(world)
    for persona in ("facilitator", "volunteer"):
        client = client_for(persona)
        page = client.get(reverse("agreements:placements")).content.decode()
        assert "Food Bank" in page
        assert reverse("agreements:change_placement", args=[placement.pk]) not in page
        assert client.post(reverse("agreements:add_placement"), _form(1)).status_code == 403


def test_another_programs_placement_is_a_404(world: World, client_for: Clients) -> None:
    placement = _add(world)
    url = reverse("agreements:change_placement", args=[placement.pk])
    assert client_for("outsider").get(url).status_code == 404
    page = client_for("outsider").get(reverse("agreements:placements")).content.decode()
    assert "Food Bank" not in page


def test_the_list_costs_the_same_queries_for_many_placements(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    client = client_for("coordinator")
    url = reverse("agreements:placements")
    _add(world, name="One", schedule=[{"weekday": 1, "from": time(9), "until": time(10)}])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(8):
        _add(world, name=f"Site {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

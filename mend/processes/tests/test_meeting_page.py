"""The page of one meeting shows its reader what the case page shows of it, no more, and
costs the same queries however long its history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case
from mend.cases.stages import Stage
from mend.processes import record_services, services
from mend.processes.models import Meeting
from mend.testing.cases import CANARY_ADDRESS, parties, submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World

Clients = Callable[[str], Client]


def _case(world: World) -> Case:
    case = to_stage(world, submit(world), Stage.PROCESS)
    cases.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    case.refresh_from_db()
    return case


def _url(meeting: Meeting) -> str:
    return reverse("processes:meeting", args=[meeting.case.reference, meeting.pk])


def test_the_meeting_page_shows_who_is_invited_who_came_and_its_history(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    meeting = plan(world, case, starts_at=timezone.now() - timedelta(hours=2))
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    services.mark_held(
        case=case,
        meeting=meeting,
        attended={harmed.pk: True, responsible.pk: False},
        duration_minutes=75,
        by=world["facilitator"],
        expected_version=None,
    )
    record_services.record_conference(
        case=case,
        meeting=meeting,
        details=record_services.ConferenceDetails(harms="The bike was how she got to work."),
        by=world["facilitator"],
        expected_version=None,
    )
    page = client_for("facilitator").get(_url(meeting)).content.decode()
    assert "The bike was how she got to work." in page
    invitees = page[page.index('id="meeting-invitees"') :]
    assert str(harmed.person) in invitees and str(responsible.person) in invitees
    assert "75 minutes" in page
    history = page[page.index('id="meeting-history"') :]
    assert "held" in history and "planned" in history
    assert "the conference recorded" in history
    timeline = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "the conference recorded" in timeline


def test_a_home_visits_address_is_on_the_meeting_page_for_the_case_team_only(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    meeting = plan(world, case, kind="preparation", invitees=parties(case, "harmed"))
    Meeting.objects.filter(pk=meeting.pk).update(
        venue_kind=Meeting.VenueKind.HOME_VISIT, venue=CANARY_ADDRESS, room=None
    )
    assert CANARY_ADDRESS in client_for("facilitator").get(_url(meeting)).content.decode()
    volunteer = client_for("volunteer").get(_url(meeting))
    assert volunteer.status_code == 200
    assert CANARY_ADDRESS not in volunteer.content.decode()


def test_a_meeting_reached_through_another_cases_address_is_not_found(
    world: World, client_for: Clients
) -> None:
    case, other = _case(world), _case(world)
    meeting = plan(world, case)
    wrong = reverse("processes:meeting", args=[other.reference, meeting.pk])
    assert client_for("coordinator").get(wrong).status_code == 404


def test_the_meeting_page_costs_the_same_queries_with_a_short_or_long_history(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    meeting = plan(world, case, starts_at=timezone.now() + timedelta(days=3))
    client, url = client_for("coordinator"), _url(meeting)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for hours in range(1, 8):
        meeting.refresh_from_db()
        case.refresh_from_db()
        details = services.details_of(meeting)
        services.change_meeting(
            case=case,
            meeting=meeting,
            details=replace(
                details,
                starts_at=details.starts_at + timedelta(hours=hours),
                ends_at=details.ends_at + timedelta(hours=hours),
            ),
            by=world["facilitator"],
            expected_version=None,
        )
    assert count() == few

"""The calendar of meetings: who sees which meetings, on the program's clock, in a fixed
number of queries; and the private feed, which says when, where in general and which
case, and nothing about the people."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.accounts.models import User
from mend.cases import services as cases
from mend.cases.models import Case
from mend.cases.stages import Stage
from mend.core.dashboard import panels_for
from mend.core.models import AuditEvent
from mend.processes import feed_services, services
from mend.processes.mail import uid
from mend.processes.models import CalendarFeed, Meeting
from mend.processes.queries import meetings_visible_to, venue_shown
from mend.programs.models import Membership
from mend.programs.roles import Role
from mend.programs.services import grant_membership
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World, make_user

Clients = Callable[[str], Client]
CHICAGO = ZoneInfo("America/Chicago")


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _membership(world: World, persona: str) -> Membership:
    user = world[persona]
    program = world.other_program if persona == "outsider" else world.program
    return Membership.objects.active().get(user=user, program=program)


def _other_facilitators_case(world: World) -> tuple[Case, User]:
    other = make_user("otherfacilitator")
    grant_membership(user=other, program=world.program, role=Role.FACILITATOR, by=None)
    case = _in_process(world)
    cases.assign_team(
        case=case,
        lead=other,
        co_facilitators=[],
        volunteers=[],
        by=world["coordinator"],
        expected_version=None,
    )
    case.refresh_from_db()
    return case, other


def _home_visit(world: World, case: Case, starts_at: datetime) -> Meeting:
    return services.schedule_meeting(
        case=case,
        details=services.MeetingDetails(
            kind="preparation",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            venue_kind=Meeting.VenueKind.HOME_VISIT,
            venue=CANARY_ADDRESS,
            lead=world["facilitator"],
            invitees=(case.participants.filter(role="harmed").first(),),  # type: ignore[arg-type]
        ),
        by=world["facilitator"],
        expected_version=None,
    )


# --- Who sees which meetings -----------------------------------------------------------


def test_a_facilitator_does_not_see_a_meeting_of_a_case_outside_their_scope(
    world: World,
) -> None:
    theirs = plan(world, _in_process(world), starts_at=timezone.now() + timedelta(days=2))
    case, other = _other_facilitators_case(world)
    not_theirs = plan(world, case, lead=other, starts_at=timezone.now() + timedelta(days=3))
    visible = set(meetings_visible_to(_membership(world, "facilitator")))
    assert theirs in visible
    assert not_theirs not in visible
    # The coordinator and the program administrator see every meeting of the program.
    for persona in ("coordinator", "program_admin"):
        assert {theirs, not_theirs} <= set(meetings_visible_to(_membership(world, persona)))


def test_a_facilitator_sees_a_meeting_they_lead_in_a_case_they_do_not_lead(
    world: World,
) -> None:
    case, _other = _other_facilitators_case(world)
    led = plan(world, case, lead=world["facilitator"], starts_at=timezone.now() + timedelta(days=2))
    assert led in set(meetings_visible_to(_membership(world, "facilitator")))


def test_a_volunteer_sees_only_the_meetings_of_cases_they_are_assigned_to(world: World) -> None:
    assigned = _in_process(world)
    cases.assign_team(
        case=assigned,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    theirs = plan(world, assigned, starts_at=timezone.now() + timedelta(days=2))
    other = plan(world, _in_process(world), starts_at=timezone.now() + timedelta(days=3))
    assert set(meetings_visible_to(_membership(world, "volunteer"))) == {theirs}
    assert other.pk


def test_referrers_analysts_and_another_program_see_no_meetings(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    plan(world, case, starts_at=timezone.now() + timedelta(days=1))
    for persona in ("referrer", "analyst", "outsider"):
        assert not meetings_visible_to(_membership(world, persona)).exists(), persona
    # The outsider's own calendar (another program) never shows our case.
    page = client_for("outsider").get(reverse("processes:calendar_week"))
    assert page.status_code == 200
    assert case.reference not in page.content.decode()


def test_a_home_visits_address_is_not_shown_to_a_volunteer(world: World) -> None:
    case = _in_process(world)
    cases.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    meeting = _home_visit(world, case, timezone.now() + timedelta(days=1))
    assert venue_shown(_membership(world, "volunteer"), meeting) == ""
    assert venue_shown(_membership(world, "facilitator"), meeting) == CANARY_ADDRESS


# --- The week and the month ------------------------------------------------------------


def _day(html: str, day: date) -> str:
    """The part of a week page under one day's heading."""
    return html.split(f'id="day-{day.isoformat()}"')[1].split('id="day-')[0]


def test_the_week_shows_times_on_the_programs_clock_across_a_change_of_the_clocks(
    world: World, client_for: Clients
) -> None:
    world.program.time_zone = "America/Chicago"
    world.program.save(update_fields=["time_zone"])
    case = _in_process(world)
    # In Chicago the clocks go forward on Sunday 8 March 2026, at 2:00.
    for local in (
        datetime(2026, 3, 2, 9, 0),  # Monday, CST (15:00 UTC)
        datetime(2026, 3, 8, 9, 0),  # Sunday, CDT (14:00 UTC)
        datetime(2026, 3, 8, 23, 30),  # Sunday night: Monday 04:30 in UTC
        datetime(2026, 3, 9, 0, 30),  # the next Monday: not in this week
    ):
        plan(world, case, starts_at=local.replace(tzinfo=CHICAGO), hours=0.5)
    client = client_for("coordinator")
    html = client.get(reverse("processes:calendar_week"), {"week": "2026-03-04"}).content.decode()
    assert "clock (America/Chicago)" in html
    assert "09:00" in _day(html, date(2026, 3, 2))
    sunday = _day(html, date(2026, 3, 8))
    assert "09:00" in sunday and "23:30" in sunday
    assert "00:30" not in html
    following = client.get(reverse("processes:calendar_week"), {"week": "2026-03-09"})
    assert "00:30" in _day(following.content.decode(), date(2026, 3, 9))


def test_the_week_links_each_meeting_to_its_case_and_strikes_a_cancelled_one(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    start = timezone.now() + timedelta(days=1)
    meeting = plan(world, case, starts_at=start)
    services.cancel_meeting(
        case=case, meeting=meeting, reason="staff", by=world["facilitator"], expected_version=None
    )
    page = client_for("facilitator").get(
        reverse("processes:calendar_week"), {"week": start.date().isoformat()}
    )
    html = page.content.decode()
    assert f'href="{case.get_absolute_url()}"' in html
    assert "mend-calendar__entry--cancelled" in html and "<s>" in html
    assert "Cancelled" in html


def test_only_mine_shows_the_meetings_i_lead(world: World, client_for: Clients) -> None:
    case, other = _other_facilitators_case(world)
    start = timezone.now() + timedelta(days=1)
    plan(world, case, lead=other, starts_at=start)
    url = reverse("processes:calendar_week")
    week = start.date().isoformat()
    client = client_for("coordinator")
    assert case.reference in client.get(url, {"week": week}).content.decode()
    assert case.reference not in client.get(url, {"week": week, "who": "mine"}).content.decode()


def test_the_month_lists_the_months_meetings(world: World, client_for: Clients) -> None:
    case = _in_process(world)
    plan(world, case, starts_at=datetime(2026, 5, 14, 10, 0, tzinfo=UTC))
    page = client_for("coordinator").get(reverse("processes:calendar_month"), {"month": "2026-05"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "May 2026: 1 meeting" in html
    assert '<th scope="col">Monday</th>' in html and '<th scope="col">Sunday</th>' in html
    assert case.reference in html and "10:00" in html
    june = client_for("coordinator").get(reverse("processes:calendar_month"), {"month": "2026-06"})
    assert case.reference not in june.content.decode()


@pytest.mark.parametrize(
    ("view", "param", "value"),
    [
        ("calendar_week", "week", "garbage"),
        ("calendar_week", "week", "2026-02-30"),
        ("calendar_week", "week", "99999-01-01"),
        ("calendar_week", "week", "1900-01-01"),
        ("calendar_week", "week", "9000-01-01"),
        ("calendar_month", "month", "2026-13"),
        ("calendar_month", "month", "garbage"),
        ("calendar_month", "month", "1900-01"),
        ("calendar_month", "month", "0001-01"),
    ],
)
def test_a_week_or_month_that_cannot_be_read_shows_the_current_one_with_a_message(
    view: str, param: str, value: str, world: World, client_for: Clients
) -> None:
    page = client_for("coordinator").get(reverse(f"processes:{view}"), {param: value})
    assert page.status_code == 200
    assert 'id="calendar-notice"' in page.content.decode()


def _queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["coordinator", "facilitator"])
@pytest.mark.parametrize(
    ("view", "param"), [("calendar_week", "week"), ("calendar_month", "month")]
)
def test_the_calendar_costs_the_same_queries_with_2_or_20_meetings(
    persona: str, view: str, param: str, world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    monday = timezone.localdate() + timedelta(days=14)
    monday -= timedelta(days=monday.weekday())
    start = datetime(monday.year, monday.month, monday.day, 6, 0, tzinfo=UTC)
    value = monday.isoformat() if param == "week" else f"{monday:%Y-%m}"
    client, url = client_for(persona), reverse(f"processes:{view}")
    for i in range(2):
        plan(world, case, starts_at=start + timedelta(hours=2 * i))
    few = _queries(client, url, {param: value})
    for i in range(2, 20):
        plan(world, case, starts_at=start + timedelta(hours=2 * i))
    assert _queries(client, url, {param: value}) == few


# --- My week ---------------------------------------------------------------------------


def test_my_week_on_a_facilitators_dashboard_shows_the_meetings_they_lead(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    plan(world, case, starts_at=timezone.now())
    panels = {p.key: p for p in panels_for(_membership(world, "facilitator"))}
    assert [row.label for row in panels["my_week"].rows] == [case.reference]
    assert panels["my_week"].more_url == reverse("processes:calendar_week") + "?who=mine"
    page = client_for("facilitator").get(reverse("programs:dashboard"))
    assert 'id="my_week"' in page.content.decode()


def test_a_co_facilitator_finds_the_meeting_in_my_week_only_mine_and_their_feed(
    world: World, client_for: Clients
) -> None:
    case, other = _other_facilitators_case(world)
    meeting = plan(
        world,
        case,
        lead=other,
        co_facilitators=(world["facilitator"],),
        starts_at=timezone.now() + timedelta(minutes=30),
    )
    panels = {p.key: p for p in panels_for(_membership(world, "facilitator"))}
    assert [row.label for row in panels["my_week"].rows] == [case.reference]
    page = client_for("facilitator").get(reverse("processes:calendar_week"), {"who": "mine"})
    assert case.reference in page.content.decode()
    _status, body = _ics(_feed(world))
    assert f"UID:{uid(meeting)}" in body.replace("\r\n ", "")


# --- The private feed ------------------------------------------------------------------


def _feed(world: World, persona: str = "facilitator") -> str:
    _feed_row, token = feed_services.create_feed(membership=_membership(world, persona))
    return token


def _ics(token: str) -> tuple[int, str]:
    response = Client().get(reverse("processes:calendar_feed_ics", args=[token]))
    return response.status_code, response.content.decode()


def test_the_feed_lists_the_meetings_one_leads_without_names_or_contact_details(
    world: World,
) -> None:
    case = _in_process(world)
    meeting = plan(world, case, starts_at=timezone.now() + timedelta(days=1))
    visit = _home_visit(world, case, timezone.now() + timedelta(days=2))
    cancelled = plan(world, case, starts_at=timezone.now() + timedelta(days=3))
    services.cancel_meeting(
        case=case, meeting=cancelled, reason="staff", by=world["facilitator"], expected_version=None
    )
    response = Client().get(reverse("processes:calendar_feed_ics", args=[_feed(world)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    unfolded = body.replace("\r\n ", "")
    assert f"UID:{uid(meeting)}" in unfolded
    assert f"UID:{uid(visit)}" in unfolded
    assert meeting.starts_at.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in unfolded
    assert f"SUMMARY:{case.reference} · Restorative conference" in unfolded
    assert "LOCATION:Room 2" in unfolded and "LOCATION:Home visit" in unfolded
    assert "STATUS:CANCELLED" in unfolded
    for secret in (CANARY_ADDRESS, CANARY_PHONE, CANARY_EMAIL, "CANARY", "Hana", "Rory"):
        assert secret not in unfolded, secret
    assert "Harmed" not in unfolded and "Responsible" not in unfolded


def test_the_feed_leaves_out_meetings_led_by_others_and_long_past(world: World) -> None:
    case, other = _other_facilitators_case(world)
    others = plan(world, case, lead=other, starts_at=timezone.now() + timedelta(days=1))
    old = plan(world, _in_process(world), starts_at=timezone.now() - timedelta(days=40))
    _status, body = _ics(_feed(world))
    assert f"meeting-{others.pk}@" not in body
    assert f"meeting-{old.pk}@" not in body


def test_the_feed_token_is_stored_only_as_its_hash(world: World) -> None:
    token = _feed(world)
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(CalendarFeed.objects.values_list()))
    assert AuditEvent.objects.filter(action="calendar_feed.created").count() == 1


def test_an_unknown_token_is_a_404(world: World) -> None:
    assert _ics("not-a-token")[0] == 404
    assert _ics(_feed(world) + "x")[0] == 404


def test_a_revoked_feed_is_a_404(world: World, client_for: Clients) -> None:
    token = _feed(world)
    response = client_for("facilitator").post(reverse("processes:revoke_calendar_feed"))
    assert response.status_code == 302
    assert _ics(token)[0] == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoked").count() == 1


def test_replacing_the_feed_stops_the_old_address(world: World, client_for: Clients) -> None:
    old = _feed(world)
    page = client_for("facilitator").post(reverse("processes:create_calendar_feed"))
    assert page.status_code == 200
    url = page.content.decode().split('id="feed-url">')[1].split("<")[0]
    new = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert _ics(old)[0] == 404
    assert _ics(new)[0] == 200
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="calendar_feed.replaced").count() == 1
    # Shown once: the feed page afterwards does not show it again.
    assert (
        new
        not in client_for("facilitator").get(reverse("processes:calendar_feed")).content.decode()
    )


def test_the_feed_stops_when_the_role_ends_or_the_person_is_inactive(world: World) -> None:
    token = _feed(world)
    assert _ics(token)[0] == 200
    User.objects.filter(pk=world["facilitator"].pk).update(is_active=False)
    assert _ics(token)[0] == 404
    User.objects.filter(pk=world["facilitator"].pk).update(is_active=True)
    assert _ics(token)[0] == 200
    Membership.objects.filter(user=world["facilitator"]).update(ended_at=timezone.now())
    assert _ics(token)[0] == 404

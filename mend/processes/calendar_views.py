"""The calendar of meetings (a week, a month) and the page of one's private calendar feed.

Days are the program's days: a week runs from Monday 00:00 to the next Monday 00:00 on the
program's clock, whatever the clocks do in between. HTTP only; reads go through queries.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mend.core.dates import EARLIEST, latest
from mend.processes import feed_services
from mend.processes.calendar_feed import feed_response
from mend.processes.models import Meeting
from mend.processes.queries import calendar_meetings, venue_shown
from mend.programs.access import program_view
from mend.programs.models import Membership


@dataclass
class Entry:
    meeting: Meeting
    starts: str
    ends: str
    venue: str
    cancelled: bool


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False


def _zone(membership: Membership) -> ZoneInfo:
    return ZoneInfo(membership.program.time_zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of a day on the program's clock (a gap at midnight moves it on)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _in_range(day: date) -> bool:
    return EARLIEST <= day <= latest(past=False)


def _chosen_day(raw: str, today: date, *, month: bool) -> tuple[date, str]:
    """The day the page asks for, or today with a sentence saying why not."""
    if not raw:
        return today, ""
    try:
        day = (
            datetime.strptime(raw, "%Y-%m").date()
            if month
            else datetime.strptime(raw, "%Y-%m-%d").date()
        )
    except ValueError:
        day = None
    if day is None or not _in_range(day):
        notice = (
            _("That month could not be read (use the form 2026-03): this month is shown.")
            if month
            else _(
                "That week could not be read (use a date such as 2026-03-09): this week is shown."
            )
        )
        return today, notice
    return day, ""


def _only_mine(request: HttpRequest) -> bool:
    return request.GET.get("who") == "mine"


def _entries(
    membership: Membership, start: date, end: date, only_mine: bool
) -> dict[date, list[Entry]]:
    zone = _zone(membership)
    by_day: dict[date, list[Entry]] = {}
    meetings = calendar_meetings(
        membership, _midnight(start, zone), _midnight(end, zone), only_mine=only_mine
    )
    for meeting in meetings:
        starts = timezone.localtime(meeting.starts_at, zone)
        ends = timezone.localtime(meeting.ends_at, zone)
        by_day.setdefault(starts.date(), []).append(
            Entry(
                meeting,
                starts.strftime("%H:%M"),
                ends.strftime("%H:%M"),
                venue_shown(membership, meeting),
                meeting.status == Meeting.Status.CANCELLED,
            )
        )
    return by_day


def _links(
    request: HttpRequest, param: str, previous: str, this: str, following: str
) -> dict[str, str]:
    keep = "&who=mine" if _only_mine(request) else ""
    return {
        "previous": f"?{param}={previous}{keep}",
        "today": f"?{param}={this}{keep}",
        "next": f"?{param}={following}{keep}",
    }


def _context(request: HttpRequest, membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "zone": membership.program.time_zone,
        "only_mine": _only_mine(request),
        **extra,
    }


@program_view("calendar.view")
@require_GET
def week(request: HttpRequest, membership: Membership) -> HttpResponse:
    today = timezone.localtime(timezone.now(), _zone(membership)).date()
    chosen, notice = _chosen_day(request.GET.get("week", ""), today, month=False)
    monday = chosen - timedelta(days=chosen.weekday())
    this_monday = today - timedelta(days=today.weekday())
    # Near the ends of the dates a week can have, stay within them.
    if not (_in_range(monday - timedelta(days=7)) and _in_range(monday + timedelta(days=14))):
        monday, notice = (
            this_monday,
            notice or _("That week is out of range, so this week is shown."),
        )
    found = _entries(membership, monday, monday + timedelta(days=7), _only_mine(request))
    days = [
        Day(d, found.get(d, []), is_today=d == today)
        for d in (monday + timedelta(days=n) for n in range(7))
    ]
    return render(
        request,
        "processes/calendar_week.html",
        _context(
            request,
            membership,
            days=days,
            monday=monday,
            sunday=monday + timedelta(days=6),
            notice=notice,
            links=_links(
                request,
                "week",
                (monday - timedelta(days=7)).isoformat(),
                this_monday.isoformat(),
                (monday + timedelta(days=7)).isoformat(),
            ),
            week_param=f"?week={monday.isoformat()}",
            month_param=f"?month={monday:%Y-%m}",
        ),
    )


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@program_view("calendar.view")
@require_GET
def month(request: HttpRequest, membership: Membership) -> HttpResponse:
    today = timezone.localtime(timezone.now(), _zone(membership)).date()
    chosen, notice = _chosen_day(request.GET.get("month", ""), today, month=True)
    first = chosen.replace(day=1)
    if not (_in_range(_add_months(first, -1)) and _in_range(_add_months(first, 2))):
        first, notice = (
            today.replace(day=1),
            notice or _("That month is out of range, so this month is shown."),
        )
    following = _add_months(first, 1)
    found = _entries(membership, first, following, _only_mine(request))
    weeks = [
        [
            Day(d, found.get(d, []), in_month=d.month == first.month, is_today=d == today)
            for d in week
        ]
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(
            first.year, first.month
        )
    ]
    return render(
        request,
        "processes/calendar_month.html",
        _context(
            request,
            membership,
            # A week with no meetings is left out of the list a phone shows.
            weeks=[{"days": w, "busy": any(d.entries for d in w)} for w in weeks],
            first=first,
            notice=notice,
            weekdays=[d.day for d in weeks[0]],
            total=sum(len(entries) for entries in found.values()),
            links=_links(
                request,
                "month",
                f"{_add_months(first, -1):%Y-%m}",
                f"{today:%Y-%m}",
                f"{following:%Y-%m}",
            ),
            month_param=f"?month={first:%Y-%m}",
            week_param=f"?week={first.isoformat()}",
        ),
    )


# --- The private feed ------------------------------------------------------------------


@program_view("calendar.view")
@require_GET
def feed_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "processes/calendar_feed.html",
        {"feed": feed_services.working_feed(membership.user, membership.program)},
    )


@program_view("calendar.view")
@require_POST
def create_feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    feed, token = feed_services.create_feed(membership=membership)
    # Shown once, on this response only: never stored in a message or the session.
    url = request.build_absolute_uri(reverse("processes:calendar_feed_ics", args=[token]))
    return render(request, "processes/calendar_feed_created.html", {"feed": feed, "url": url})


@program_view("calendar.view")
@require_POST
def revoke_feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    if feed_services.revoke_feed(membership=membership):
        messages.success(request, _("Your calendar feed address no longer works."))
    return redirect("processes:calendar_feed")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the token is the credential. Anything but a working feed is a 404."""
    membership = feed_services.feed_membership(token)
    if membership is None:
        raise Http404
    return feed_response(membership)

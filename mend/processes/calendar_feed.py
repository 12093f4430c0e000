"""The iCalendar document of a person's feed: the meetings they lead, and nothing personal.

A calendar app copies what it reads to phones and to other companies' servers, so each
event says only when, where in general (a room's name, "Video call", "Home visit") and
which case: no participant's name, no address, no link, no phone number, no notes.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from mend.processes.mail import uid
from mend.processes.models import Meeting
from mend.processes.queries import feed_meetings
from mend.programs.models import Membership

BEFORE = timedelta(days=30)
AHEAD = timedelta(days=365)

_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
    Meeting.Status.DID_NOT_HAPPEN: "CANCELLED",
}


def location(meeting: Meeting) -> str:
    """Where, in words safe to copy anywhere: a room's name, or only the kind of place."""
    return meeting.room_name or str(meeting.get_venue_kind_display())


def feed_calendar(membership: Membership) -> bytes:
    now = timezone.now()
    program = membership.program
    cal = Calendar()
    cal.add("prodid", "-//Mend//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Meetings: %(program)s") % {"program": program.name})
    for meeting in feed_meetings(membership, now - BEFORE, now + AHEAD):
        event = Event()
        # The same UID as the invitations', so a calendar never holds a meeting twice.
        event.add("uid", uid(meeting))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("dtend", meeting.ends_at.astimezone(UTC))
        event.add("summary", f"{meeting.case.reference} · {meeting.get_kind_display()}")
        event.add("location", location(meeting))
        event.add("status", _STATUS.get(Meeting.Status(meeting.status), "TENTATIVE"))
        event.add("sequence", meeting.version)
        cal.add_component(event)
    return bytes(cal.to_ical())


def feed_response(membership: Membership) -> HttpResponse:
    # In the person's own language: the calendar app sends no preference of its own.
    with translation.override(membership.user.preferred_language or None):
        body = feed_calendar(membership)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response

"""How the calendar plugs in: its menu entry, the "My week" panel, its audit sentences."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import Reading, Renderer, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.dashboard import Panel, PanelRow
from mend.core.dashboard import register as register_panel
from mend.core.models import AuditEvent
from mend.core.navigation import NavItem
from mend.core.navigation import register as register_nav
from mend.processes.queries import calendar_meetings
from mend.programs.models import Membership

LIMIT = 10


def my_week(membership: Membership) -> list[Panel]:
    """For a facilitator: this week's meetings they lead or co-facilitate, on the program's
    clock."""
    if not (membership.can("calendar.view") and membership.can("cases.view_assigned")):
        return []
    zone = ZoneInfo(membership.program.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    end_day = monday + timedelta(days=7)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    meetings = calendar_meetings(membership, start, end, only_mine=True)
    rows = [
        PanelRow(
            m.case.reference,
            m.case.get_absolute_url(),
            f"{date_format(timezone.localtime(m.starts_at, zone), 'D j M, H:i')}: "
            f"{m.get_kind_display()} ({m.get_status_display()})",
        )
        for m in meetings[:LIMIT]
    ]
    return [
        Panel(
            "my_week",
            _("My week"),
            rows,
            meetings.count(),
            _("You have no meetings to lead or co-facilitate this week."),
            reverse("processes:calendar_week") + "?who=mine",
        )
    ]


def _says(text: str | Promise) -> Renderer:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event)})

    return render


def plug_in() -> None:
    register_nav(NavItem(_("Calendar"), "processes:calendar_week", "calendar.view", order=15))
    register_panel(my_week)
    for code, text in (
        ("calendar_feed.created", _("%(who)s made a private calendar feed address")),
        ("calendar_feed.replaced", _("%(who)s replaced their private calendar feed address")),
        ("calendar_feed.revoked", _("%(who)s revoked their private calendar feed address")),
    ):
        register_sentence(code, _says(text), group="accounts")

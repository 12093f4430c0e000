"""Rooms, the facilitator's week and upcoming meetings, so the calendar looks lived-in.

Meetings that already took place are recorded with the cases' stories (demo_story.py);
this adds what is still to come, through the same services and their gates: a case the
gates refuse simply gets no meeting.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from mend.cases.models import Case, Participant
from mend.cases.services.base import CaseRuleError
from mend.cases.stages import Stage
from mend.processes import services, venue_services
from mend.processes.models import Availability, Meeting, Venue
from mend.programs.demo import DemoContext
from mend.programs.models import ProcessType
from mend.programs.practice import DIRECT_PROCESSES

ROOMS = [
    ("Community Room A", 12, "Ground floor, step-free entrance on Elm Street."),
    ("Quiet Room", 4, "First floor, lift available; a separate waiting area."),
    ("Library Meeting Room", 20, "Ground floor; hearing loop fitted."),
]
# How many upcoming meetings, at most: enough to fill two weeks of the calendar.
UPCOMING = 8


def load(context: DemoContext) -> None:
    """Add the rooms, the facilitator's availability and upcoming meetings, once."""
    program = context.program
    if Venue.objects.filter(program=program).exists():
        return
    for name, capacity, notes in ROOMS:
        venue_services.add_venue(
            program=program,
            name=name,
            capacity=capacity,
            access_notes=notes,
            by=None,
            expected_version=None,
        )
    facilitator = context.users.get("facilitator")
    if facilitator is None:
        return
    if not Availability.objects.filter(user=facilitator, program=program).exists():
        for weekday in range(5):
            venue_services.add_availability(
                user=facilitator,
                program=program,
                weekday=weekday,
                start_time=time(9),
                end_time=time(17),
                by=facilitator,
                expected_version=weekday,
            )
    _upcoming(program.time_zone, context)


def _upcoming(zone: str, context: DemoContext) -> None:
    rooms = list(Venue.objects.filter(program=context.program).order_by("pk"))
    cases = Case.objects.filter(
        program=context.program, stage__in=[Stage.PREPARATION, Stage.PROCESS]
    ).select_related("program", "offence_category", "lead_facilitator")
    today = timezone.localtime(timezone.now(), ZoneInfo(zone)).date()
    planned = 0
    for number, case in enumerate(cases.order_by("pk")):
        if planned >= UPCOMING:
            return
        lead = case.lead_facilitator or context.users["facilitator"]
        day = today + timedelta(days=1 + planned * 2)
        while day.weekday() >= 5:  # weekdays, within the facilitator's times
            day += timedelta(days=1)
        start = datetime.combine(day, time(10 + planned % 5), ZoneInfo(zone))
        joint = case.stage == Stage.PROCESS and case.planned_process in DIRECT_PROCESSES
        people = list(case.participants.filter(status=Participant.Status.ACTIVE))
        if not joint:
            # A preparation meeting with the harmed party and their supporters.
            people = [p for p in people if p.role != Participant.Role.RESPONSIBLE]
            people = [p for p in people if p.role != Participant.Role.HARMED or p == people[0]]
        try:
            services.schedule_meeting(
                case=case,
                details=services.MeetingDetails(
                    kind=case.planned_process if joint else ProcessType.PREPARATION,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=90 if joint else 60),
                    venue_kind=Meeting.VenueKind.ROOM,
                    venue="",
                    lead=lead,
                    invitees=tuple(people),
                    room=rooms[number % len(rooms)],
                ),
                by=lead,
                expected_version=None,
                acknowledged=True,
            )
        except (CaseRuleError, ValidationError):
            continue  # the gates or the room say no: this case waits
        planned += 1

"""The stage rules that read meetings and letters, added through the cases registry.

- Agreement and follow-up needs at least one joint meeting held or one message delivered.
- Closing a case as completed needs every held meeting's attendance and duration
  recorded: the program's session log must be whole before closure.

Each asks one query, whatever the number of meetings.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mend.cases import notices
from mend.cases.models import Case
from mend.cases.notices import Notice, Reading
from mend.cases.registry import COMPLETING
from mend.cases.rules import CaseFacts
from mend.cases.stages import Stage
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.processes.services import local_time
from mend.programs.practice import DIRECT_PROCESSES


def agreement_needs_contact(facts: CaseFacts, to: str) -> list[Notice]:
    if to != Stage.AGREEMENT:
        return []
    case = facts.case
    held = Meeting.objects.filter(
        case=OuterRef("pk"), status=Meeting.Status.HELD, kind__in=list(DIRECT_PROCESSES)
    )
    delivered = Letter.objects.filter(case=OuterRef("pk"), status=Letter.Status.DELIVERED)
    met, wrote = (
        Case.objects.filter(pk=case.pk)
        .annotate(met=Exists(held), wrote=Exists(delivered))
        .values_list("met", "wrote")
        .get()
    )
    return [] if met or wrote else [Notice("no_joint_meeting_or_letter")]


def completion_needs_session_log(facts: CaseFacts, to: str) -> list[Notice]:
    if to != COMPLETING:
        return []
    unrecorded = MeetingInvitee.objects.filter(meeting=OuterRef("pk"), attended__isnull=True)
    rows = (
        Meeting.objects.filter(case=facts.case, status=Meeting.Status.HELD)
        .annotate(no_attendance=Exists(unrecorded))
        .filter(Q(duration_minutes__isnull=True) | Q(no_attendance=True))
        .values_list("starts_at", "duration_minutes", "no_attendance")
    )
    found = []
    for starts_at, minutes, no_attendance in rows:
        when = starts_at.isoformat()
        if no_attendance:
            found.append(Notice("meeting_attendance_missing", value=when))
        if minutes is None:
            found.append(Notice("meeting_duration_missing", value=when))
    return found


def _when(notice: Notice, reading: Reading) -> str:
    moment: datetime | None = parse_datetime(notice.value)
    return local_time(moment, reading.case) if moment else notice.value


def register_wordings() -> None:
    notices.register(
        "no_joint_meeting_or_letter",
        lambda n, r: _(
            "No joint meeting has been held and no letter or message delivered yet: "
            "record one before moving to agreement and follow-up."
        ),
    )
    notices.register(
        "meeting_attendance_missing",
        lambda n, r: (
            _(
                "The meeting held on %(when)s has no attendance recorded: record who came "
                "before closing the case as completed."
            )
            % {"when": _when(n, r)}
        ),
    )
    notices.register(
        "meeting_duration_missing",
        lambda n, r: (
            _(
                "The meeting held on %(when)s has no duration recorded: record how long it "
                "lasted before closing the case as completed."
            )
            % {"when": _when(n, r)}
        ),
    )

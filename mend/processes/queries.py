"""Reads of meetings, rooms, available times and letters' files that depend on who is
asking. Meetings are reached through these only.

Which cases a member may see is mend.cases.queries' one rule; a meeting is visible when
its case is, and to the person who leads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from mend.cases.models import Case, CaseAssignment
from mend.cases.queries import cases_visible_to, get_case_for
from mend.processes.models import (
    Availability,
    ConferenceRecord,
    LetterAttachment,
    Meeting,
    Venue,
)
from mend.programs.models import Membership


def meetings_visible_to(membership: Membership) -> QuerySet[Meeting]:
    """Coordinators: every meeting of the program. Facilitators: the meetings of the cases
    they may see, and those they lead. Volunteers: the meetings of their cases. Others
    (referrers, analysts): none. Another program's meetings: never."""
    meetings = Meeting.objects.filter(case__program_id=membership.program_id)
    if membership.can("cases.view_all"):
        return meetings
    if not membership.can("cases.view_assigned"):
        return meetings.none()
    in_scope = Q(case__in=cases_visible_to(membership).values("pk"))
    if membership.can("cases.work"):
        in_scope |= Q(pk__in=_staffed_by(membership.user_id))
    return meetings.filter(in_scope)


def sees_venue(membership: Membership, case: Case, meeting: Meeting | None = None) -> bool:
    """A home visit's address is the case team's only: those who work on cases, the case's
    lead facilitator and the meeting's lead."""
    return (
        membership.can("cases.work")
        or case.lead_facilitator_id == membership.user_id
        or (meeting is not None and meeting.lead_id == membership.user_id)
    )


def venue_shown(membership: Membership, meeting: Meeting, case: Case | None = None) -> str:
    """The place or link as this member may read it ("" when it is not theirs to see).
    Pass the case when it is at hand, so that it is not read again."""
    if meeting.venue_kind == Meeting.VenueKind.ROOM:
        return meeting.room_name
    venue = str(meeting.venue)
    if meeting.venue_kind != Meeting.VenueKind.HOME_VISIT:
        return venue
    return venue if sees_venue(membership, case or meeting.case, meeting) else ""


def meetings_of_case(membership: Membership, case: Case) -> QuerySet[Meeting]:
    return meetings_visible_to(membership).filter(case=case)


def calendar_meetings(
    membership: Membership, start: datetime, end: datetime, *, only_mine: bool = False
) -> QuerySet[Meeting]:
    """Meetings starting in [start, end) the member may see, with what the calendar shows,
    in one query whatever their number."""
    meetings = meetings_visible_to(membership).filter(starts_at__gte=start, starts_at__lt=end)
    if only_mine:
        meetings = meetings.filter(pk__in=_staffed_by(membership.user_id))
    return meetings.select_related("case", "lead", "room").order_by("starts_at", "id")


def _staffed_by(user_id: int) -> QuerySet[Meeting, Any]:
    """The meetings someone leads or co-facilitates, as a subquery (no duplicate rows)."""
    staffed = Meeting.objects.filter(Q(lead_id=user_id) | Q(co_facilitators=user_id))
    return staffed.values("pk")


def feed_meetings(membership: Membership, start: datetime, end: datetime) -> QuerySet[Meeting]:
    """The meetings a person's calendar feed lists: those they lead or co-facilitate, in
    this program."""
    return (
        Meeting.objects.filter(
            case__program_id=membership.program_id,
            pk__in=_staffed_by(membership.user_id),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("case", "room")
        .order_by("starts_at", "id")
    )


def venues_of(membership: Membership) -> QuerySet[Venue]:
    """The rooms of the member's current program, in use first. Another program's: none."""
    return Venue.objects.filter(program_id=membership.program_id).order_by(
        "-is_active", "name", "id"
    )


def rooms_in_use(program_id: int) -> QuerySet[Venue]:
    return Venue.objects.filter(program_id=program_id, is_active=True).order_by("name", "id")


def availability_of(membership: Membership) -> QuerySet[Availability]:
    """The member's own weekly times in their current program: nobody else's."""
    return Availability.objects.filter(
        program_id=membership.program_id, user_id=membership.user_id
    ).order_by("weekday", "start_time", "id")


def attachment_for(
    membership: Membership, reference: str, letter_id: int, attachment_id: int
) -> LetterAttachment:
    """A file of a letter in a case the member may see; 404 for anything else.

    The case team sees every file, removed ones too (they are part of the record); what
    the recipient may get is attachments.attachments_for_recipient.
    """
    case = get_case_for(membership, reference)
    attachment = (
        LetterAttachment.objects.filter(
            pk=attachment_id, version__letter_id=letter_id, version__letter__case=case
        )
        .select_related("version__letter__case__program")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def conference_records_for(
    membership: Membership, case: Case, meetings: list[Meeting]
) -> dict[int, ConferenceRecord] | None:
    """The conference records of these meetings (by meeting id) for a reader of the case
    team (the lead and co-facilitators) or a coordinator; None for anyone else. Three
    queries whatever the number of meetings."""
    team = membership.can("cases.view_all") or case.lead_facilitator_id == membership.user_id
    if not team and membership.can("cases.work"):
        team = CaseAssignment.objects.filter(
            case=case, user_id=membership.user_id, role=CaseAssignment.Role.CO_FACILITATOR
        ).exists()
    if not team:
        return None
    held = [m.pk for m in meetings if m.is_joint and m.status == Meeting.Status.HELD]
    if not held:
        return {}
    rows = ConferenceRecord.objects.filter(meeting_id__in=held).prefetch_related(
        "speakers__person", "needs__participant__person"
    )
    return {r.meeting_id: r for r in rows}

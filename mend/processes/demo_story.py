"""What processes records in a demo case whose restorative process took place.

A joint process: a preparation meeting with each party (always in a specialist-only case,
where the gates require it; in about half the others), then the joint meeting, held with
its attendance and duration, and for most meetings that reached an outline of agreement a
conference record. An indirect process: a letter or message, approved and delivered.
Everything goes through the services, so it obeys the same rules as work done by hand.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from mend.cases.models import Participant
from mend.processes import letter_services, record_services, services
from mend.processes.models import Letter, Meeting, Venue
from mend.programs.models import OffenceCategory, ProcessType
from mend.programs.practice import DIRECT_PROCESSES

if TYPE_CHECKING:
    from datetime import datetime

    from mend.cases.demo import Happened

HARMS = [
    "The harmed party described not sleeping for weeks and no longer walking home alone.",
    "The family spoke about the cost of the repairs and feeling unsafe in their own street.",
    "The harmed party said the worst of it was not knowing why it happened to them.",
]
NEEDS_HARMED = [
    "To hear an apology in person and to know it will not happen again.",
    "The damage paid for, and an answer to why their house was chosen.",
    "To be left alone on the bus route, and a letter to show their children.",
]
NEEDS_RESPONSIBLE = [
    "Help finding work so that the money can be paid back.",
    "A chance to explain and to be seen as more than what happened.",
    "Support from the youth worker to stay away from the group involved.",
]
OBLIGATIONS = [
    "A written apology within two weeks; repayment in monthly instalments.",
    "Twenty hours of work at the community garden; no contact outside the program.",
    "Attending the mentoring scheme; repairing the fence with a volunteer.",
]
AGREED = [
    "An apology, repayment over six months and a follow-up call in four weeks.",
    "Community work and a letter about what has changed, reviewed at follow-up.",
]


def _meeting(
    happened: Happened,
    kind: str,
    invitees: list[Participant],
    start: datetime,
    minutes: int,
    absent: frozenset[int] = frozenset(),
) -> Meeting:
    # A meeting that took place has ended: keep it in the past.
    start = min(start, timezone.now() - timedelta(minutes=minutes + 10))
    case = happened.case
    room = (
        Venue.objects.filter(
            program_id=case.program_id, is_active=True, capacity__gte=len(invitees) + 1
        )
        .order_by("pk")
        .first()
    )
    use_room = room is not None and happened.rng.random() < 0.7
    venue = Meeting.VenueKind.ROOM if use_room else Meeting.VenueKind.VIDEO
    meeting = services.schedule_meeting(
        case=case,
        details=services.MeetingDetails(
            kind=kind,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            venue_kind=venue,
            venue="" if use_room else "https://video.example.org/demo",
            lead=happened.by,
            invitees=tuple(invitees),
            room=room if use_room else None,
        ),
        by=happened.by,
        expected_version=None,
    )
    services.mark_held(
        case=case,
        meeting=meeting,
        attended={p.pk: p.pk not in absent for p in invitees},
        duration_minutes=minutes,
        by=happened.by,
        expected_version=None,
    )
    happened.stamp(meeting, created_at=start - timedelta(days=7))
    return meeting


def _meet(happened: Happened) -> None:
    rng = happened.rng
    taking = [p for p in happened.participants if p.takes_part]
    parties = [p for p in taking if p.is_party]
    specialist = happened.case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY
    if specialist or rng.random() < 0.5:
        for i, party in enumerate(parties):
            own = [p for p in taking if p.pk == party.pk or p.supports_id == party.pk]
            start = happened.at - timedelta(days=rng.randint(3, 9), hours=2 * i)
            _meeting(happened, ProcessType.PREPARATION, own, start, rng.choice([45, 60, 75]))
    # Now and then a support person does not come; the parties always do.
    helpers = [p for p in taking if not p.is_party and p.role != Participant.Role.GUARDIAN]
    absent = frozenset({helpers[0].pk}) if helpers and rng.random() < 0.3 else frozenset()
    meeting = _meeting(
        happened, happened.process, taking, happened.at, rng.choice([90, 105, 120, 150]), absent
    )
    if not happened.agreed or rng.random() >= 0.7:
        return
    harmed = [p for p in parties if p.role == Participant.Role.HARMED]
    needs = {p.pk: rng.choice(NEEDS_HARMED if p in harmed else NEEDS_RESPONSIBLE) for p in parties}
    record = record_services.record_conference(
        case=happened.case,
        meeting=meeting,
        details=record_services.ConferenceDetails(
            speakers=tuple(p.pk for p in taking if p.pk not in absent),
            harms=rng.choice(HARMS),
            needs=needs,
            obligations=rng.choice(OBLIGATIONS),
            agreed=rng.choice(AGREED),
        ),
        by=happened.by,
        expected_version=None,
    )
    happened.stamp(record, recorded_at=meeting.ends_at + timedelta(hours=2))


def _write(happened: Happened) -> None:
    case, by = happened.case, happened.by
    people = happened.participants
    author = next((p for p in people if p.role == Participant.Role.RESPONSIBLE), None)
    recipient = next((p for p in people if p.role == Participant.Role.HARMED), None)
    if author is None or recipient is None:
        return
    kind = Letter.Kind.MESSAGE if happened.process == ProcessType.SHUTTLE else Letter.Kind.LETTER
    letter = letter_services.draft_letter(
        case=case,
        author=author,
        recipient=recipient,
        kind=kind,
        body="I know what I did frightened you. I am sorry, and I want to put it right.",
        by=by,
        expected_version=None,
    )
    letter_services.review_version(
        case=case, letter=letter, decision="approved", redact=(), by=by, expected_version=None
    )
    letter.refresh_from_db()
    letter_services.record_delivery(
        case=case,
        letter=letter,
        outcome=Letter.Status.DELIVERED,
        method=Letter.Method.POST,
        on=timezone.localdate(happened.at),
        by=by,
        expected_version=None,
    )
    happened.stamp(letter, created_at=happened.at)


def record(happened: Happened) -> None:
    """The cases demo's hook: record the process that took place, as processes does."""
    if happened.process in DIRECT_PROCESSES:
        _meet(happened)
    else:
        _write(happened)

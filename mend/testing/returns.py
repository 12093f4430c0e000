"""Services to victims on chosen days, for the funder-return tests.

Made directly in the tables (the services stamp today's date); what is tried is how the
returns count them, not how they are recorded.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from mend.accounts.models import User
from mend.cases.models import Case, ConsentEntry, Note, Participant, Person, RJOffer
from mend.processes.models import Letter, Meeting, MeetingInvitee
from mend.programs.models import ConsentPurpose
from mend.testing.personas import World


def at(day: date, hour: int, zone: str = "UTC") -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


def harmed_in(case: Case, person: Person) -> Participant:
    """The same person as a harmed party of another case."""
    return Participant.objects.create(case=case, person=person, role=Participant.Role.HARMED)


def offer(participant: Participant, day: date) -> RJOffer:
    return RJOffer.objects.create(
        participant=participant,
        offered_on=day,
        channel=RJOffer.Channel.PHONE,
        response=RJOffer.Response.INTERESTED,
    )


def consent(
    participant: Participant,
    day: date,
    by: User,
    purpose: str = ConsentPurpose.CONTACT,
    decision: str = ConsentEntry.Decision.GIVEN,
) -> ConsentEntry:
    return ConsentEntry.objects.create(
        participant=participant,
        purpose=purpose,
        decision=decision,
        method=ConsentEntry.Method.WRITTEN,
        decided_on=day,
        recorded_by=by,
    )


def contact(
    participant: Participant, moment: datetime, outcome: str = Note.ContactOutcome.REACHED
) -> Note:
    note = Note.objects.create(
        case=participant.case,
        kind=Note.Kind.CONTACT,
        participant=participant,
        channel=Note.Channel.CALL,
        contact_outcome=outcome,
    )
    Note.objects.filter(pk=note.pk).update(created_at=moment)
    return note


def meeting(
    case: Case,
    moment: datetime,
    by: User,
    *,
    attended: list[Participant],
    absent: tuple[Participant, ...] = (),
    kind: str = "conference",
    status: str = Meeting.Status.HELD,
) -> Meeting:
    held = Meeting.objects.create(
        case=case,
        kind=kind,
        starts_at=moment,
        ends_at=moment + timedelta(hours=2),
        venue_kind=Meeting.VenueKind.PHONE,
        status=status,
        lead=by,
        created_by=by,
    )
    for participant in attended:
        MeetingInvitee.objects.create(meeting=held, participant=participant, attended=True)
    for participant in absent:
        MeetingInvitee.objects.create(meeting=held, participant=participant, attended=False)
    return held


def letter(
    author: Participant,
    recipient: Participant,
    day: date | None,
    by: User,
    status: str = Letter.Status.DELIVERED,
) -> Letter:
    return Letter.objects.create(
        case=author.case,
        author=author,
        recipient=recipient,
        status=status,
        delivered_on=day,
        delivery_method=Letter.Method.POST if day else "",
        created_by=by,
    )


def six_consented(world: World) -> list[Participant]:
    """Six victims who consented to be contacted in 2026-Q4; the first two then met."""
    from mend.testing.cases import parties, submit

    staff = world["facilitator"]
    victims = []
    for number in range(6):
        harmed = parties(submit(world), Participant.Role.HARMED)[0]
        Person.objects.filter(pk=harmed.person_id).update(given_name=f"Victim{number}")
        consent(harmed, date(2026, 11, 2 + number), staff)
        victims.append(harmed)
    for harmed in victims[:2]:
        meeting(harmed.case, at(date(2026, 12, 1), 10), staff, attended=[harmed])
    return victims

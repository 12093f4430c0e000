"""Every write to meetings. Each takes the case's row lock, checks the version the form
was opened on, asks the gates and audits, in one transaction.

A meeting changes its case (its version goes up), so a form opened before a meeting was
planned or cancelled is stale, as for any other change to the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mend.accounts.models import User
from mend.cases.models import Case, Participant, Person
from mend.cases.queries import case_facts
from mend.cases.services.base import Blocked, CaseRuleError, blocked, changed, lock_case
from mend.cases.stages import Stage
from mend.core.dates import plausible_date
from mend.core.languages import is_language
from mend.processes.gates import invitee_refusals, meeting_refusals
from mend.processes.models import KINDS, Availability, Meeting, MeetingInvitee, Venue
from mend.processes.tasks import meeting_changed
from mend.programs.models import Membership, ProcessType
from mend.programs.practice import DIRECT_PROCESSES
from mend.programs.roles import Role

# Where a meeting may be planned: preparation from preparation on; the parties meet only
# once the restorative process has begun.
PREPARATION_STAGES = frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})
JOINT_STAGES = frozenset({Stage.PROCESS, Stage.AGREEMENT})
LONGEST = timedelta(hours=12)


@dataclass(frozen=True)
class MeetingDetails:
    kind: str
    starts_at: datetime
    ends_at: datetime
    venue_kind: str
    venue: str
    lead: User
    invitees: tuple[Participant, ...]
    # Defaulted, so callers written before rooms and co-facilitators keep working.
    room: Venue | None = None
    co_facilitators: tuple[User, ...] = ()
    interpreter_language: str = ""

    @property
    def staff(self) -> tuple[User, ...]:
        """The lead, then each co-facilitator once."""
        others = tuple(u for u in dict.fromkeys(self.co_facilitators) if u.pk != self.lead.pk)
        return (self.lead, *others)


def local_time(moment: datetime, case: Case) -> str:
    """A moment as the program's clock reads it, e.g. "12 Mar 2026, 18:30"."""
    return date_format(timezone.localtime(moment, ZoneInfo(case.program.time_zone)), "j M Y, H:i")


def _check_details(case: Case, details: MeetingDetails) -> None:
    errors: dict[str, str] = {}
    if details.kind not in dict(KINDS):
        errors["kind"] = _("Choose the kind of meeting.")
    elif details.kind != ProcessType.PREPARATION and (
        details.kind not in case.program.offered_processes
    ):
        errors["kind"] = _("The program does not offer this kind of meeting.")
    if details.venue_kind not in Meeting.VenueKind.values:
        errors["venue_kind"] = _("Say where the meeting takes place.")
    if timezone.is_naive(details.starts_at) or timezone.is_naive(details.ends_at):
        raise ValueError("meeting times must be aware")
    try:
        plausible_date(details.starts_at.date(), years_ahead=2)
    except ValidationError as error:
        errors["starts_at"] = " ".join(error.messages)
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif details.ends_at - details.starts_at > LONGEST:
        errors["ends_at"] = _("A meeting lasts 12 hours at most.")
    if errors:
        raise ValidationError(errors)
    stages = JOINT_STAGES if details.kind in DIRECT_PROCESSES else PREPARATION_STAGES
    if case.stage not in stages:
        raise Blocked(_("This kind of meeting cannot be planned at this stage of the case."))
    for participant in details.invitees:
        if participant.case_id != case.pk:
            raise ValidationError({"invitees": _("Invite only people in this case.")})
    _check_team(case, details)


def _check_team(case: Case, details: MeetingDetails) -> None:
    errors: dict[str, str] = {}
    staff = set(
        Membership.objects.active()
        .filter(
            program_id=case.program_id,
            role__in=[Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN],
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
    )
    if any(u.pk == details.lead.pk for u in details.co_facilitators):
        errors["co_facilitators"] = _("The lead cannot also be a co-facilitator.")
    elif any(u.pk not in staff for u in details.co_facilitators):
        errors["co_facilitators"] = _("Choose co-facilitators from the program's staff.")
    language = details.interpreter_language
    if language and not is_language(language):
        errors["interpreter_language"] = _("Choose a language from the list.")
    if errors:
        raise ValidationError(errors)


def _check_room(case: Case, details: MeetingDetails) -> None:
    """A meeting in a room names one of the program's rooms in use, big enough for all."""
    if details.venue_kind != Meeting.VenueKind.ROOM:
        if details.room is not None:
            raise ValidationError({"room": _("Choose a room only for a meeting in a room.")})
        return
    room = details.room
    if room is None or room.program_id != case.program_id or not room.is_active:
        raise ValidationError({"room": _("Choose a room from the list.")})
    people = len(details.invitees) + len(details.staff)
    if people > room.capacity:
        raise ValidationError(
            {
                "room": _(
                    "%(room)s holds %(capacity)s people: this meeting has %(people)s. "
                    "Choose a larger room."
                )
                % {"room": room.name, "capacity": room.capacity, "people": people}
            }
        )


def _lock_bookings(details: MeetingDetails) -> None:
    """Lock what the clash check reads: the room, then staff, then people, each by pk.

    Two bookings in different cases hold different case locks; without these, both could
    read "free" and both commit. The same order everywhere means no deadlock.
    """
    if details.room is not None:
        list(Venue.objects.select_for_update().filter(pk=details.room.pk))
    list(
        User.objects.select_for_update()
        .filter(pk__in=[u.pk for u in details.staff])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        Person.objects.select_for_update()
        .filter(pk__in=[p.person_id for p in details.invitees])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _prepared(case: Case, exclude: int | None = None) -> set[int]:
    """Participants who attended a preparation meeting that was held."""
    rows = MeetingInvitee.objects.filter(
        meeting__case=case,
        meeting__kind=ProcessType.PREPARATION,
        meeting__status=Meeting.Status.HELD,
        attended=True,
    )
    if exclude is not None:
        rows = rows.exclude(meeting_id=exclude)
    return set(rows.values_list("participant_id", flat=True))


def _gate(case: Case, kind: str, invitees: Iterable[Participant], meeting: int | None) -> None:
    facts = case_facts(case)
    # The facts' own copies: current status, and their person loaded.
    by_pk = {p.pk: p for p in facts.participants}
    people = [by_pk[p.pk] for p in invitees if p.pk in by_pk]
    refusals = meeting_refusals(facts, kind, people, _prepared(case, meeting))
    if refusals:
        raise blocked(case, refusals)


def _clashes(case: Case, details: MeetingDetails, meeting: int | None = None) -> list[str]:
    """Who or what of the room, the staff and the invitees is booked elsewhere then.

    Each sentence names the other meeting's time only: it may be another case's.
    """
    overlapping = (
        Meeting.objects.filter(
            status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
            starts_at__lt=details.ends_at,
            ends_at__gt=details.starts_at,
        )
        .exclude(pk=meeting or 0)
        .order_by("starts_at", "id")
    )

    def times(clash: Meeting) -> dict[str, str]:
        return {"start": local_time(clash.starts_at, case), "end": local_time(clash.ends_at, case)}

    sentences = []
    if details.room is not None:
        clash = overlapping.filter(room=details.room).first()
        if clash is not None:
            sentences.append(
                _("%(room)s is already booked from %(start)s to %(end)s.")
                % {"room": details.room.name, **times(clash)}
            )
    for user in details.staff:
        clash = overlapping.filter(Q(lead=user) | Q(co_facilitators=user)).distinct().first()
        if clash is None:
            continue
        if clash.lead_id == user.pk:
            text = _("%(name)s is already leading a meeting from %(start)s to %(end)s.")
        else:
            text = _("%(name)s is already co-facilitating a meeting from %(start)s to %(end)s.")
        sentences.append(text % {"name": user.display_name, **times(clash)})
    # The same person may be in more than one case: what matters is the person.
    for participant in details.invitees:
        clash = overlapping.filter(invitees__participant__person_id=participant.person_id).first()
        if clash is not None:
            sentences.append(
                _("%(name)s is already invited to a meeting from %(start)s to %(end)s.")
                % {"name": participant.person, **times(clash)}
            )
    return sentences


def availability_warnings(case: Case, details: MeetingDetails) -> list[str]:
    """Staff who recorded when they are available, asked for a time outside it.

    A warning, not a refusal: the person scheduling may know better, and says so.
    """
    zone = ZoneInfo(case.program.time_zone)
    start = timezone.localtime(details.starts_at, zone)
    end = timezone.localtime(details.ends_at, zone)
    slots: dict[int, list[Availability]] = {}
    for slot in Availability.objects.filter(
        program_id=case.program_id, user_id__in=[u.pk for u in details.staff]
    ):
        slots.setdefault(slot.user_id, []).append(slot)
    warnings = []
    for user in details.staff:
        own = slots.get(user.pk)
        if not own:
            continue
        fits = start.date() == end.date() and any(
            s.weekday == start.weekday()
            and s.start_time <= start.time()
            and end.time() <= s.end_time
            for s in own
        )
        if not fits:
            warnings.append(
                _("%(name)s has not said they are available from %(start)s to %(end)s.")
                % {
                    "name": user.display_name,
                    "start": local_time(details.starts_at, case),
                    "end": local_time(details.ends_at, case),
                }
            )
    return warnings


def _lock_meeting(case: Case, meeting: Meeting, expected_version: int | None) -> Meeting:
    fresh = Meeting.objects.select_for_update().filter(pk=meeting.pk, case=case).first()
    if fresh is None:
        raise ValidationError({"meeting": _("Choose a meeting of this case.")})
    if expected_version is not None and fresh.version != expected_version:
        raise CaseRuleError(
            _("Someone changed this meeting since you opened the form. Nothing was saved.")
        )
    return fresh


@transaction.atomic
def schedule_meeting(
    *,
    case: Case,
    details: MeetingDetails,
    by: User,
    expected_version: int | None,
    acknowledged: bool = False,
) -> Meeting:
    """Plan a meeting, when every invitee may take part and nobody is booked elsewhere.

    A time outside the staff's recorded availability is planned only when `acknowledged`.
    """
    lock_case(case, expected_version)
    _check_details(case, details)
    _gate(case, details.kind, details.invitees, None)
    _check_room(case, details)
    _lock_bookings(details)
    clashes = _clashes(case, details)
    if clashes:
        raise Blocked(*clashes)
    warnings = availability_warnings(case, details)
    if warnings and not acknowledged:
        raise ValidationError({"acknowledged": warnings}, code="unavailable")
    meeting = Meeting.objects.create(
        case=case,
        kind=details.kind,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        venue_kind=details.venue_kind,
        venue=details.venue,
        lead=details.lead,
        room=details.room if details.venue_kind == Meeting.VenueKind.ROOM else None,
        interpreter_language=details.interpreter_language,
        created_by=by,
    )
    meeting.co_facilitators.set(details.staff[1:])
    MeetingInvitee.objects.bulk_create(
        MeetingInvitee(meeting=meeting, participant=p) for p in details.invitees
    )
    changed(
        case,
        by=by,
        action="meeting.scheduled",
        obj=meeting,
        kind=meeting.kind,
        invitees=len(details.invitees),
        co_facilitators=len(details.staff) - 1,
        acknowledged_unavailable=bool(warnings),
    )
    meeting_changed(meeting)
    return meeting


def details_of(meeting: Meeting) -> MeetingDetails:
    invitees = tuple(i.participant for i in meeting.invitees.select_related("participant__person"))
    return MeetingDetails(
        meeting.kind,
        meeting.starts_at,
        meeting.ends_at,
        meeting.venue_kind,
        meeting.venue,
        meeting.lead,
        invitees,
        meeting.room,
        tuple(meeting.co_facilitators.all()),
        meeting.interpreter_language,
    )


@transaction.atomic
def change_meeting(
    *,
    case: Case,
    meeting: Meeting,
    details: MeetingDetails,
    by: User,
    expected_version: int | None,
    acknowledged: bool = False,
) -> Meeting:
    """Move a planned or confirmed meeting, or change its place or staff.

    Its kind and its invitees stay (inviting others is a new meeting). Every check of
    planning is made again; a new time or place must be confirmed again, and the invitees
    who get e-mail are sent the change.
    """
    lock_case(case, expected_version)
    meeting = _lock_meeting(case, meeting, None)
    if not meeting.is_open:
        raise Blocked(_("This meeting is no longer planned: it cannot be changed."))
    before = details_of(meeting)
    details = replace(details, kind=meeting.kind, invitees=before.invitees)
    _check_details(case, details)
    _gate(case, details.kind, details.invitees, meeting.pk)
    _check_room(case, details)
    _lock_bookings(details)
    clashes = _clashes(case, details, meeting.pk)
    if clashes:
        raise Blocked(*clashes)
    warnings = availability_warnings(case, details)
    if warnings and not acknowledged:
        raise ValidationError({"acknowledged": warnings}, code="unavailable")
    room = details.room if details.venue_kind == Meeting.VenueKind.ROOM else None
    moved = (details.starts_at, details.ends_at, details.venue_kind, details.venue, room) != (
        before.starts_at,
        before.ends_at,
        before.venue_kind,
        before.venue,
        before.room if before.venue_kind == Meeting.VenueKind.ROOM else None,
    )
    meeting.starts_at, meeting.ends_at = details.starts_at, details.ends_at
    meeting.venue_kind, meeting.venue, meeting.room = details.venue_kind, details.venue, room
    meeting.lead = details.lead
    meeting.interpreter_language = details.interpreter_language
    if moved:
        meeting.status = Meeting.Status.PLANNED
    meeting.version += 1
    meeting.save()
    meeting.co_facilitators.set(details.staff[1:])
    changed(
        case,
        by=by,
        action="meeting.changed",
        obj=meeting,
        kind=meeting.kind,
        moved=moved,
        acknowledged_unavailable=bool(warnings),
    )
    meeting_changed(meeting)
    return meeting


@transaction.atomic
def confirm_meeting(
    *, case: Case, meeting: Meeting, by: User, expected_version: int | None
) -> Meeting:
    """The invitees said they will come. The gates must still hold."""
    lock_case(case, expected_version)
    meeting = _lock_meeting(case, meeting, None)
    if meeting.status != Meeting.Status.PLANNED:
        raise Blocked(_("Only a planned meeting can be confirmed."))
    _gate(case, meeting.kind, details_of(meeting).invitees, meeting.pk)
    meeting.status = Meeting.Status.CONFIRMED
    meeting.version += 1
    meeting.save(update_fields=["status", "version"])
    changed(case, by=by, action="meeting.confirmed", obj=meeting, kind=meeting.kind)
    # Sends only if the time or place moved since the invitation.
    meeting_changed(meeting)
    return meeting


@transaction.atomic
def mark_held(
    *,
    case: Case,
    meeting: Meeting,
    attended: Mapping[int, bool],
    duration_minutes: int,
    by: User,
    expected_version: int | None,
) -> Meeting:
    """Record that the meeting took place: who came (by participant id) and how long."""
    lock_case(case, expected_version)
    meeting = _lock_meeting(case, meeting, None)
    if not meeting.is_open:
        raise Blocked(_("This meeting is no longer planned: it cannot be recorded as held."))
    if meeting.starts_at > timezone.now():
        raise ValidationError({"meeting": _("This meeting has not started yet.")})
    if not 0 < duration_minutes <= LONGEST.total_seconds() // 60:
        raise ValidationError({"duration_minutes": _("Enter a duration between 1 and 720.")})
    invitees = list(meeting.invitees.select_related("participant__person"))
    if set(attended) - {i.participant_id for i in invitees}:
        raise ValidationError({"attended": _("Record attendance only for the people invited.")})
    _gate(case, meeting.kind, [i.participant for i in invitees], meeting.pk)
    for invitee in invitees:
        invitee.attended = bool(attended.get(invitee.participant_id, False))
    MeetingInvitee.objects.bulk_update(invitees, ["attended"])
    meeting.status = Meeting.Status.HELD
    meeting.duration_minutes = duration_minutes
    meeting.version += 1
    meeting.save(update_fields=["status", "duration_minutes", "version"])
    changed(
        case,
        by=by,
        action="meeting.held",
        obj=meeting,
        kind=meeting.kind,
        attended=sum(1 for i in invitees if i.attended),
    )
    return meeting


@transaction.atomic
def cancel_meeting(
    *, case: Case, meeting: Meeting, reason: str, by: User | None, expected_version: int | None
) -> Meeting:
    lock_case(case, expected_version)
    meeting = _lock_meeting(case, meeting, None)
    if reason not in Meeting.CancelReason.values:
        raise ValidationError({"reason": _("Choose why the meeting is cancelled.")})
    if not meeting.is_open:
        raise Blocked(_("This meeting is no longer planned: there is nothing to cancel."))
    _cancel(case, meeting, reason, by, automatic=False)
    return meeting


def _cancel(case: Case, meeting: Meeting, reason: str, by: User | None, *, automatic: bool) -> None:
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.version += 1
    meeting.save(update_fields=["status", "cancel_reason", "version"])
    changed(
        case,
        by=by,
        action="meeting.cancelled_automatically" if automatic else "meeting.cancelled",
        obj=meeting,
        kind=meeting.kind,
        reason=reason,
    )
    # Invitees are told it is cancelled, never why; staff hear why when it was automatic.
    meeting_changed(meeting, cancelled_automatically=automatic)


# What made a meeting impossible, as the reason its cancellation records.
_REASONS = {
    "withdrawn": Meeting.CancelReason.WITHDRAWAL,
    "consent": Meeting.CancelReason.CONSENT,
    "not_suitable": Meeting.CancelReason.NOT_SUITABLE,
    "no_assessment": Meeting.CancelReason.NOT_SUITABLE,
    "protective_order": Meeting.CancelReason.PROTECTIVE_ORDER,
}
_WHOLE_CASE = {
    "paused": Meeting.CancelReason.PAUSED,
    "closed": Meeting.CancelReason.CLOSED,
}


def cancel_what_no_longer_holds(case: Case, by: User | None, reason: str) -> None:
    """The case_changed hook: cancel at once every future meeting that may not take place.

    Runs under the case's row lock, in the transaction of the change that caused it.
    """
    future = list(
        Meeting.objects.filter(
            case=case,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
            starts_at__gt=timezone.now(),
        ).prefetch_related("invitees")
    )
    if not future:
        return
    if reason in _WHOLE_CASE or case.stage in (Stage.PAUSED, Stage.CLOSED, Stage.WITHDRAWN):
        code = _WHOLE_CASE.get(reason, Meeting.CancelReason.WITHDRAWAL)
        for meeting in future:
            _cancel(case, meeting, code, by, automatic=True)
        return
    facts = case_facts(case)
    by_pk = {p.pk: p for p in facts.participants}
    for meeting in future:
        people = [by_pk[i.participant_id] for i in meeting.invitees.all()]
        refusals = invitee_refusals(facts, meeting.kind, people)
        if refusals:
            code = _REASONS.get(refusals[0].code, Meeting.CancelReason.CONSENT)
            _cancel(case, meeting, code, by, automatic=True)

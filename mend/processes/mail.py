"""E-mail about meetings: invitations, changes, cancellations and reminders to invitees,
and a notice to staff when a meeting is cancelled automatically.

What an invitee receives carries a time, a place and how to reach the program; nothing
else. No names, no case reference, no kind of meeting, no reason for a cancellation: an
e-mail may be read by someone else in the household. Only people who chose e-mail, have
an address and whose consent to be contacted is current get one.

Each e-mail is recorded (MeetingNotice) under a unique key before it goes, so a notice
goes at most once even when two workers race; if sending fails the record is removed
so that the next run tries again.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from mend.cases.models import ContactMethod, Participant, Person
from mend.cases.queries import case_facts
from mend.cases.rules import may_contact
from mend.core.languages import page_language
from mend.processes.models import Meeting, MeetingInvitee, MeetingNotice
from mend.programs.models import ConsentPurpose, Program

logger = logging.getLogger(__name__)
Kind = MeetingNotice.Kind
CALENDAR_KINDS = (Kind.INVITATION, Kind.UPDATE)


def language_for(person: Person, program: Program) -> str:
    """The invitee's language when Mend speaks it, else the program's first, else English."""
    spoken = page_language(person.preferred_language)
    if spoken:
        return spoken
    known = {code for code, _name in settings.LANGUAGES}
    for code in program.offered_languages:
        if code in known:
            return code
    return "en"


def _address(participant: Participant) -> str:
    person = participant.person
    if person.preferred_contact != ContactMethod.EMAIL:
        return ""
    return str(person.email).strip()


def fingerprint(meeting: Meeting) -> str:
    """When and where, as the invitee sees it: a change is announced only if this moves."""
    when = [meeting.starts_at.isoformat(), meeting.ends_at.isoformat()]
    seen = "|".join([*when, meeting.venue_kind, meeting.room_name, meeting.venue])
    return hashlib.sha256(seen.encode()).hexdigest()


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.MEND_CALENDAR_DOMAIN}"


def place(meeting: Meeting) -> str:
    """Where, for the invitee. A home visit never carries an address: the e-mail may
    be forwarded, and the address is the person's own."""
    kind = meeting.venue_kind
    if kind == Meeting.VenueKind.ROOM:
        return meeting.room_name or _("A room (the program will tell you which)")
    if kind == Meeting.VenueKind.VIDEO:
        link = meeting.venue.strip()
        return _("Video call: %(link)s") % {"link": link} if link else _("Video call")
    if kind == Meeting.VenueKind.PHONE:
        # The number may be someone else's: the program calls.
        return _("Phone call (the program will call you)")
    return _("Home visit (the address you gave us)")


def _contact(program: Program) -> str:
    ways = [way for way in (program.contact_phone, program.contact_email) if way]
    return " / ".join(ways) or program.name


def _local(moment: datetime, program: Program) -> str:
    return date_format(timezone.localtime(moment, ZoneInfo(program.time_zone)), "j F Y, H:i")


def calendar(meeting: Meeting, to: str, *, sequence: int, cancel: bool) -> bytes:
    """The iCalendar entry (RFC 5545/5546) for one invitee, in the active language."""
    program = meeting.case.program
    cal = Calendar()
    cal.add("prodid", "-//Mend//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid(meeting))
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", _("Meeting with %(program)s") % {"program": program.name})
    event.add("location", place(meeting))
    event.add(
        "description",
        _("To ask a question or change the meeting, contact %(program)s: %(contact)s.")
        % {"program": program.name, "contact": _contact(program)},
    )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{program.contact_email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(program.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{to}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def _body(meeting: Meeting, kind: str) -> tuple[str, str]:
    program = meeting.case.program
    names = {
        "program": program.name,
        "start": _local(meeting.starts_at, program),
        "end": _local(meeting.ends_at, program),
        "zone": program.time_zone,
        "place": place(meeting),
        "contact": _contact(program),
    }
    subjects: dict[str, str] = {
        Kind.INVITATION: _("Meeting with %(program)s"),
        Kind.UPDATE: _("Changed: meeting with %(program)s"),
        Kind.CANCELLATION: _("Cancelled: meeting with %(program)s"),
        Kind.REMINDER: _("Reminder: meeting with %(program)s"),
    }
    openings: dict[str, str] = {
        Kind.INVITATION: _("You are invited to a meeting with %(program)s."),
        Kind.UPDATE: _("The time or place of your meeting with %(program)s has changed."),
        Kind.CANCELLATION: _("Your meeting with %(program)s on %(start)s is cancelled."),
        Kind.REMINDER: _("A reminder: you have a meeting with %(program)s soon."),
    }
    lines = [_("Hello,"), "", openings[kind] % names, ""]
    if kind != Kind.CANCELLATION:
        lines += [
            _("When: %(start)s to %(end)s (%(zone)s time)") % names,
            _("Where: %(place)s") % names,
            "",
        ]
    if kind in CALENDAR_KINDS:
        lines += [_("The attached invitation adds the meeting to your calendar."), ""]
    if kind == Kind.CANCELLATION:
        lines += [_("The attached notice removes it from your calendar."), ""]
    lines.append(_("If you have a question, contact %(program)s: %(contact)s.") % names)
    return subjects[kind] % names, "\n".join(lines) + "\n"


def _message(meeting: Meeting, to: str, kind: str, sequence: int) -> EmailMessage:
    subject, body = _body(meeting, kind)
    program = meeting.case.program
    message = EmailMessage(subject, body, None, [to])
    if program.contact_email:
        message.reply_to = [program.contact_email]
    if kind != Kind.REMINDER:
        cancel = kind == Kind.CANCELLATION
        part = MIMEText(
            calendar(meeting, to, sequence=sequence, cancel=cancel).decode(), "calendar", "utf-8"
        )
        part.set_param("method", "CANCEL" if cancel else "REQUEST")
        part.add_header("Content-Disposition", "attachment", filename="meeting.ics")
        message.attach(part)
    return message


def _send_once(notice: MeetingNotice, message: EmailMessage) -> bool:
    """Record the notice, then send it; a notice someone already recorded is not sent."""
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        return False
    try:
        message.send()
    except Exception:
        # Not sent: forget it, so that the next attempt sends it.
        notice.delete()
        raise
    return True


def _invitee(invitee_id: int) -> MeetingInvitee | None:
    return (
        MeetingInvitee.objects.select_related(
            "participant__person", "meeting__case__program", "meeting__lead", "meeting__room"
        )
        .filter(pk=invitee_id)
        .first()
    )


def _may_email(invitee: MeetingInvitee, *, cancelling: bool) -> bool:
    """An invitation needs current consent to be contacted; a cancellation goes to whoever
    received the invitation unless contact has been refused or they withdrew."""
    facts = case_facts(invitee.meeting.case)
    participant = next((p for p in facts.participants if p.pk == invitee.participant_id), None)
    if participant is None or may_contact(facts, participant) is not None:
        return False
    return cancelling or facts.consent(participant, ConsentPurpose.CONTACT)


def _sent(invitee: MeetingInvitee) -> list[MeetingNotice]:
    return list(invitee.notices.order_by("-sequence", "-id"))


def bring_up_to_date(invitee_id: int) -> str | None:
    """Send the invitee what their calendar lacks: the invitation, a change, or the
    cancellation. Returns the kind sent, or None."""
    invitee = _invitee(invitee_id)
    if invitee is None:
        return None
    meeting = invitee.meeting
    to = _address(invitee.participant)
    if not to or meeting.ends_at <= timezone.now():
        # A meeting recorded after it took place is nobody's news.
        return None
    sent = _sent(invitee)
    last = next((n for n in sent if n.kind in CALENDAR_KINDS), None)
    cancelled = any(
        n.kind == Kind.CANCELLATION and n.sequence >= (last.sequence if last else 0) for n in sent
    )
    now = fingerprint(meeting)
    if meeting.is_open:
        if last is None:
            kind = Kind.INVITATION
        elif last.sent_fingerprint != now or cancelled:
            kind = Kind.UPDATE
        else:
            return None
    elif meeting.status == Meeting.Status.CANCELLED and last is not None and not cancelled:
        kind = Kind.CANCELLATION
    else:
        return None
    if not _may_email(invitee, cancelling=kind == Kind.CANCELLATION):
        return None
    notice = MeetingNotice(
        meeting=meeting,
        invitee=invitee,
        kind=kind,
        sequence=meeting.version,
        sent_fingerprint=now,
    )
    with translation.override(language_for(invitee.participant.person, meeting.case.program)):
        message = _message(meeting, to, kind, meeting.version)
    return kind if _send_once(notice, message) else None


def bring_meeting_up_to_date(meeting_id: int) -> int:
    """Every invitee of a meeting, after a change; returns how many e-mails went."""
    ids = MeetingInvitee.objects.filter(meeting_id=meeting_id).values_list("pk", flat=True)
    return sum(1 for pk in ids if bring_up_to_date(pk))


def remind(invitee_id: int) -> bool:
    """One reminder per version of the meeting the invitee holds."""
    if bring_up_to_date(invitee_id) == Kind.CANCELLATION:
        return False
    invitee = _invitee(invitee_id)
    if invitee is None or not invitee.meeting.is_open:
        return False
    last = next((n for n in _sent(invitee) if n.kind in CALENDAR_KINDS), None)
    to = _address(invitee.participant)
    if last is None or not to or not _may_email(invitee, cancelling=False):
        return False
    meeting = invitee.meeting
    notice = MeetingNotice(
        meeting=meeting, invitee=invitee, kind=Kind.REMINDER, sequence=last.sequence
    )
    with translation.override(language_for(invitee.participant.person, meeting.case.program)):
        message = _message(meeting, to, Kind.REMINDER, last.sequence)
    return _send_once(notice, message)


def due_reminders(now: datetime | None = None) -> list[int]:
    """Invitees who chose e-mail, of open meetings starting within their program's
    reminder days, not yet reminded of the version they hold."""
    now = now or timezone.now()
    longest = Program.objects.order_by("-reminder_days").values_list("reminder_days", flat=True)
    horizon = max(longest.first() or 0, 0)
    if not horizon:
        return []
    invitees = (
        MeetingInvitee.objects.filter(
            meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + timedelta(days=horizon),
            meeting__case__program__reminder_days__gt=0,
            participant__person__preferred_contact=ContactMethod.EMAIL,
        )
        .select_related("meeting__case__program")
        .prefetch_related("notices")
        .order_by("meeting__starts_at", "pk")
    )
    due = []
    for invitee in invitees:
        days = invitee.meeting.case.program.reminder_days
        if invitee.meeting.starts_at > now + timedelta(days=days):
            continue
        notices = list(invitee.notices.all())
        held = max((n.sequence for n in notices if n.kind in CALENDAR_KINDS), default=None)
        reminded = {n.sequence for n in notices if n.kind == Kind.REMINDER}
        if held is None or held not in reminded:
            due.append(invitee.pk)
    return due


def notify_staff_of_cancellation(meeting_id: int) -> int:
    """Tell the facilitators that a meeting was cancelled automatically, and why. Staff
    may see the case, so this names it."""
    meeting = (
        Meeting.objects.select_related("case__program", "case__lead_facilitator", "lead")
        .filter(pk=meeting_id, status=Meeting.Status.CANCELLED)
        .first()
    )
    if meeting is None:
        return 0
    people = [meeting.lead, *meeting.co_facilitators.all(), meeting.case.lead_facilitator]
    sent = 0
    for user in dict.fromkeys(p for p in people if p is not None and p.email and p.is_active):
        with translation.override(user.preferred_language or "en"):
            names = {
                "case": meeting.case.reference,
                "start": _local(meeting.starts_at, meeting.case.program),
                "reason": meeting.get_cancel_reason_display(),
            }
            subject = _("Meeting cancelled automatically in %(case)s") % names
            body = "\n".join(
                [
                    _("The meeting on %(start)s in case %(case)s was cancelled automatically.")
                    % names,
                    _("Why: %(reason)s.") % names,
                    _(
                        "Invitees who chose e-mail were told it is cancelled, "
                        "without being told why."
                    ),
                ]
            )
        notice = MeetingNotice(
            meeting=meeting, user=user, kind=Kind.STAFF_CANCELLATION, sequence=meeting.version
        )
        if _send_once(notice, EmailMessage(subject, body + "\n", None, [user.email])):
            sent += 1
    return sent

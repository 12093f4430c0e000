"""Invitees who chose e-mail get a calendar invitation, its changes, its cancellation and
one reminder, carrying only a time, a place and the program's contact; staff hear why
an automatic cancellation happened."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as outbox
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, ConsentEntry, ContactMethod, Participant
from mend.cases.stages import Stage
from mend.processes import mail, services, venue_services
from mend.processes.models import Meeting, MeetingNotice
from mend.programs.models import ConsentPurpose
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, parties, submit, to_stage
from mend.testing.meetings import plan
from mend.testing.personas import World

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
RORY = "rory@example.org"


# --- An independent reading of iCalendar (RFC 5545 unfolding), not the library's -------


def ical_lines(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(name, parameters, value) for each content line, after unfolding."""
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "")
    lines = []
    for raw in unfolded.replace("\r\n", "\n").split("\n"):
        if not raw:
            continue
        head, _colon, value = raw.partition(":")
        name, *params = head.split(";")
        lines.append((name.upper(), dict(p.split("=", 1) for p in params), value))
    return lines


def event_of(text: str) -> dict[str, str]:
    fields = {}
    inside = False
    for name, _params, value in ical_lines(text):
        if (name, value) == ("BEGIN", "VEVENT"):
            inside = True
        elif (name, value) == ("END", "VEVENT"):
            inside = False
        elif inside or name == "METHOD":
            fields[name] = value.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n")
    return fields


def ics_of(message: EmailMessage) -> str:
    parts = [a for a in message.attachments if not isinstance(a, tuple)]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


# --- Setting the scene ---------------------------------------------------------------


def _choose_email(participant: Participant, address: str = RORY, language: str = "") -> None:
    person = participant.person
    person.preferred_contact = ContactMethod.EMAIL
    person.email = address
    person.preferred_language = language
    person.save()


@pytest.fixture
def case(world: World) -> Case:
    program = world.program
    program.contact_email = "team@program.example"
    program.contact_phone = "0100 000 000"
    program.save()
    world["facilitator"].email = "facilitator@program.example"
    world["facilitator"].save()
    case = to_stage(world, submit(world), Stage.PROCESS)
    _choose_email(parties(case, "responsible")[0])
    return case


def _plan(world: World, case: Case, capture: Capture, **kwargs: Any) -> Meeting:
    with capture(execute=True):
        return plan(world, case, **kwargs)


def _to(address: str) -> list[EmailMessage]:
    return [m for m in outbox.outbox if address in m.to]  # type: ignore[attr-defined]


# --- Invitations -----------------------------------------------------------------------


def test_an_invitee_who_chose_email_gets_a_request_with_utc_times_place_uid_and_sequence(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    meeting = _plan(world, case, django_capture_on_commit_callbacks, starts_at=start)
    [message] = _to(RORY)
    event = event_of(ics_of(message))
    assert event["METHOD"] == "REQUEST"
    assert event["DTSTART"] == start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"] == (start + timedelta(hours=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert event["LOCATION"] == "Room 2"
    assert event["UID"] == f"meeting-{meeting.pk}@mend.invalid" or event["UID"].startswith(
        f"meeting-{meeting.pk}@"
    )
    assert event["SEQUENCE"] == str(meeting.version)
    assert event["SUMMARY"] == f"Meeting with {case.program.name}"
    assert "team@program.example" in event["ORGANIZER"]
    assert message.subject == f"Meeting with {case.program.name}"


def test_a_meeting_planned_after_it_took_place_sends_nothing(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _plan(
        world,
        case,
        django_capture_on_commit_callbacks,
        starts_at=timezone.now() - timedelta(hours=3),
    )
    assert not _to(RORY)


def test_an_invitee_who_did_not_choose_email_gets_nothing(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    # The harmed party has an e-mail address but prefers the phone.
    _plan(world, case, django_capture_on_commit_callbacks)
    assert not _to(CANARY_EMAIL)
    assert len(outbox.outbox) == 1  # type: ignore[attr-defined]


def test_the_invitation_names_no_one_no_case_and_no_one_elses_contact_details(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _plan(world, case, django_capture_on_commit_callbacks)
    [message] = _to(RORY)
    everything = message.message().as_string() + ics_of(message)
    harmed = parties(case, "harmed")[0]
    for secret in [
        harmed.person.given_name,
        harmed.person.family_name,
        "Rory0",
        case.reference,
        "CR/2026/0001",
        "bicycle",
        "onference",  # the kind of meeting says what the case is
        world["facilitator"].display_name,
        CANARY_EMAIL,
        CANARY_PHONE,
        CANARY_ADDRESS,
    ]:
        assert secret not in everything, secret


def test_a_home_visit_invitation_never_carries_the_address(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    start = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_meeting(
            case=case,
            details=services.MeetingDetails(
                kind="preparation",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                venue_kind=Meeting.VenueKind.HOME_VISIT,
                venue=CANARY_ADDRESS,
                lead=world["facilitator"],
                invitees=tuple(parties(case, "responsible")),
            ),
            by=world["facilitator"],
            expected_version=None,
        )
    [message] = _to(RORY)
    assert event_of(ics_of(message))["LOCATION"] == "Home visit (the address you gave us)"
    assert CANARY_ADDRESS not in message.body + ics_of(message)


def test_a_spanish_speaker_gets_the_invitation_in_spanish(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _choose_email(parties(case, "responsible")[0], language="es")
    _plan(world, case, django_capture_on_commit_callbacks)
    [message] = _to(RORY)
    assert message.subject == f"Reunión con {case.program.name}"
    assert "Le invitamos a una reunión" in message.body
    assert event_of(ics_of(message))["SUMMARY"] == f"Reunión con {case.program.name}"


# --- Changes and cancellations ---------------------------------------------------------


def test_confirming_a_meeting_sends_nothing_when_time_and_place_stay(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = _plan(world, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_meeting(
            case=case, meeting=meeting, by=world["facilitator"], expected_version=None
        )
    assert len(_to(RORY)) == 1


def test_a_change_of_time_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = _plan(world, case, django_capture_on_commit_callbacks)
    later = meeting.starts_at + timedelta(hours=2)
    details = replace(
        services.details_of(meeting), starts_at=later, ends_at=later + timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_meeting(
            case=case,
            meeting=meeting,
            details=details,
            by=world["facilitator"],
            expected_version=None,
        )
    # Sent once: bringing it up to date again sends nothing more.
    assert mail.bring_meeting_up_to_date(meeting.pk) == 0
    first, update = (event_of(ics_of(m)) for m in _to(RORY))
    assert update["UID"] == first["UID"]
    assert int(update["SEQUENCE"]) > int(first["SEQUENCE"])
    assert update["METHOD"] == "REQUEST"
    assert update["DTSTART"] == later.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def test_a_cancellation_replaces_the_entry_and_does_not_say_why(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = _plan(world, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(
            case=case,
            meeting=meeting,
            reason=Meeting.CancelReason.REQUESTED,
            by=world["facilitator"],
            expected_version=None,
        )
    invitation, cancellation = _to(RORY)
    first, cancel = event_of(ics_of(invitation)), event_of(ics_of(cancellation))
    assert cancel["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == first["UID"]
    assert int(cancel["SEQUENCE"]) > int(first["SEQUENCE"])
    assert "asked" not in cancellation.body + ics_of(cancellation)
    # A cancellation by hand tells no member of staff by e-mail.
    assert not _to("facilitator@program.example")


def test_a_withdrawal_cancels_without_saying_why_and_tells_the_lead_why(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _plan(world, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cases.withdraw_participant(
            participant=parties(case, "harmed")[0],
            method="verbal",
            reason="",
            by=world["facilitator"],
            expected_version=None,
        )
    _invitation, cancellation = _to(RORY)
    assert event_of(ics_of(cancellation))["METHOD"] == "CANCEL"
    told = cancellation.body + ics_of(cancellation)
    assert "withdr" not in told.lower()
    assert case.reference not in told
    [notice] = _to("facilitator@program.example")
    assert case.reference in notice.subject
    assert "A participant withdrew" in notice.body


def test_the_co_facilitators_are_told_of_an_automatic_cancellation_too(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    world["coordinator"].email = "coordinator@program.example"
    world["coordinator"].save()
    _plan(world, case, django_capture_on_commit_callbacks, co_facilitators=(world["coordinator"],))
    with django_capture_on_commit_callbacks(execute=True):
        cases.withdraw_participant(
            participant=parties(case, "harmed")[0],
            method="verbal",
            reason="",
            by=world["facilitator"],
            expected_version=None,
        )
    [notice] = _to("coordinator@program.example")
    assert case.reference in notice.subject


def test_an_invitation_to_a_room_names_the_room_from_the_programs_list(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    room = venue_services.add_venue(
        program=world.program, name="Garden Room", capacity=12, by=None, expected_version=None
    )
    _plan(world, case, django_capture_on_commit_callbacks, room=room)
    [invitation] = _to(RORY)
    assert event_of(ics_of(invitation))["LOCATION"] == "Garden Room"
    assert "Garden Room" in invitation.body


def test_someone_who_withdrew_consent_to_be_contacted_is_sent_nothing_more(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = _plan(world, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cases.record_consent(
            participant=parties(case, "responsible")[0],
            purpose=ConsentPurpose.CONTACT,
            decision=ConsentEntry.Decision.WITHDRAWN,
            method=ConsentEntry.Method.VERBAL,
            decided_on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert len(_to(RORY)) == 1  # the invitation only
    assert _to("facilitator@program.example")


def test_a_meeting_cancelled_before_its_invitation_went_sends_nothing(
    world: World, case: Case
) -> None:
    # Enqueued tasks run only after commit; here they never ran before the cancellation.
    meeting = plan(world, case)
    services.cancel_meeting(
        case=case,
        meeting=meeting,
        reason=Meeting.CancelReason.STAFF,
        by=world["facilitator"],
        expected_version=None,
    )
    assert mail.bring_meeting_up_to_date(meeting.pk) == 0
    assert not outbox.outbox  # type: ignore[attr-defined]


# --- Reminders -------------------------------------------------------------------------


def test_a_reminder_goes_once_when_the_command_runs_twice(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _plan(
        world,
        case,
        django_capture_on_commit_callbacks,
        starts_at=timezone.now() + timedelta(days=1),
    )
    call_command("send_meeting_reminders")
    call_command("send_meeting_reminders")
    reminders = [m for m in _to(RORY) if m.subject.startswith("Reminder")]
    assert len(reminders) == 1
    assert MeetingNotice.objects.filter(kind=MeetingNotice.Kind.REMINDER).count() == 1


def test_a_reminder_is_not_sent_before_the_programs_reminder_days(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _plan(
        world,
        case,
        django_capture_on_commit_callbacks,
        starts_at=timezone.now() + timedelta(days=3),
    )
    call_command("send_meeting_reminders")
    assert not [m for m in _to(RORY) if m.subject.startswith("Reminder")]


def test_no_reminder_goes_when_the_program_sets_zero_days(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    case.program.reminder_days = 0
    case.program.save()
    _plan(world, case, django_capture_on_commit_callbacks)
    call_command("send_meeting_reminders")
    assert not [m for m in _to(RORY) if m.subject.startswith("Reminder")]


def test_a_reminder_another_worker_already_recorded_is_not_sent_again(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = _plan(world, case, django_capture_on_commit_callbacks)
    invitee = meeting.invitees.get(participant=parties(case, "responsible")[0])
    MeetingNotice.objects.create(
        meeting=meeting, invitee=invitee, kind=MeetingNotice.Kind.REMINDER, sequence=meeting.version
    )
    assert mail.remind(invitee.pk) is False
    assert len(_to(RORY)) == 1


def test_the_administrator_sets_the_reminder_days_on_the_time_limits_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from mend.programs.tests.test_settings import send

    data = {"assessment_validity_days": "90", "rj_offer_deadline_working_days": "5"}
    client = client_for("program_admin")
    refused = send(client, reverse("programs:edit_timing"), {**data, "reminder_days": "15"})
    assert refused.status_code == 400
    assert "Enter a whole number from 0 to 14." in refused.content.decode()
    saved = send(client, reverse("programs:edit_timing"), {**data, "reminder_days": "0"})
    assert saved.status_code == 302
    world.program.refresh_from_db()
    assert world.program.reminder_days == 0


# --- A real SMTP server ----------------------------------------------------------------


class _Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_an_invitation_arrives_through_a_real_smtp_server_with_a_calendar_part(
    world: World,
    case: Case,
    django_capture_on_commit_callbacks: Capture,
    smtp_server: tuple[int, _Inbox],
) -> None:
    port, inbox = smtp_server
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        meeting = _plan(world, case, django_capture_on_commit_callbacks)
    [raw] = inbox.received
    received: Message = email.message_from_bytes(raw)
    assert received.is_multipart()
    assert received["To"] == RORY
    calendars = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    assert calendars[0].get_param("method") == "REQUEST"
    payload = calendars[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    event = event_of(payload.decode())
    assert event["UID"].startswith(f"meeting-{meeting.pk}@")
    assert datetime.strptime(event["DTSTART"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=UTC
    ) == meeting.starts_at.replace(microsecond=0)

"""The harmed party's contact details never reach the responsible party's side: not in an
invitation, a change, a reminder or a cancellation they are sent, not in the feed or the
calendar that names their meetings, not in a letter's copy or the names of its files.

The harmed party of the test cases carries canary values (mend.testing.cases.CANARY_*);
a home visit to them carries their address. Everything that goes to the responsible party
is collected and searched for the canaries.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import Case, ContactMethod, Participant
from mend.cases.stages import Stage
from mend.processes import attachments, letter_services, mail, services
from mend.processes.models import Meeting
from mend.programs.models import ConsentPurpose
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, parties, submit, to_stage
from mend.testing.letters import PDF, approve, attach, consent_all, deliver, write
from mend.testing.meetings import plan
from mend.testing.personas import World

Capture = Callable[..., AbstractContextManager[Any]]
RORY = "rory@example.org"
CANARIES = (CANARY_ADDRESS, CANARY_PHONE, CANARY_EMAIL, "Hidden Lane", "0117-496-0000")


def _clean(text: str, where: str) -> None:
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    for canary in CANARIES:
        assert canary not in unfolded, f"{canary!r} reached the responsible party in {where}"


def _calendar_of(message: Any) -> str:
    """The decoded calendar parts of an e-mail ("" when it has none, as a reminder)."""
    parts = [a for a in message.attachments if not isinstance(a, tuple)]
    return "".join(bytes(p.get_payload(decode=True)).decode() for p in parts)


def _responsible_by_email(case: Case) -> Participant:
    responsible = parties(case, "responsible")[0]
    person = responsible.person
    person.preferred_contact = ContactMethod.EMAIL
    person.email = RORY
    person.save()
    return responsible


@pytest.fixture
def case(world: World) -> Case:
    case = to_stage(world, submit(world), Stage.PROCESS)
    consent_all(world, case, ConsentPurpose.INDIRECT)
    case.refresh_from_db()
    return case


def test_nothing_sent_to_the_responsible_party_about_meetings_carries_the_harmed_partys_details(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    responsible = _responsible_by_email(case)
    harmed = parties(case, "harmed")[0]
    with django_capture_on_commit_callbacks(execute=True):
        # A home visit to the harmed party, at their address, and a joint meeting.
        visit = plan(world, case, kind="preparation", invitees=[harmed])
        Meeting.objects.filter(pk=visit.pk).update(
            venue_kind=Meeting.VenueKind.HOME_VISIT, venue=CANARY_ADDRESS, room=None
        )
        joint = plan(world, case, starts_at=timezone.now() + timedelta(days=1, hours=4))
        details = services.details_of(joint)
        services.change_meeting(
            case=case,
            meeting=joint,
            details=replace(
                details,
                starts_at=details.starts_at + timedelta(hours=1),
                ends_at=details.ends_at + timedelta(hours=1),
            ),
            by=world["facilitator"],
            expected_version=None,
        )
    call_command("send_meeting_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        case.refresh_from_db()
        services.cancel_meeting(
            case=case,
            meeting=Meeting.objects.get(pk=joint.pk),
            reason="requested",
            by=world["facilitator"],
            expected_version=None,
        )
    sent = [m for m in outbox.outbox if RORY in m.to]  # type: ignore[attr-defined]
    assert len(sent) >= 3, "an invitation, a change and a cancellation at least"
    for message in sent:
        _clean(
            message.subject + message.body + _calendar_of(message), f"e-mail {message.subject!r}"
        )
    assert responsible.person.email == RORY
    for meeting in Meeting.objects.all():
        _clean(mail.place(meeting), "a meeting's place as e-mails name it")


def test_a_letter_to_the_responsible_party_reaches_them_without_the_harmed_partys_details(
    world: World, case: Case
) -> None:
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    body = f"I am scared. I live at {CANARY_ADDRESS}; call {CANARY_PHONE} or {CANARY_EMAIL}."
    letter = write(world, case, body, author=harmed, recipient=responsible)
    attach(world, case, letter, PDF, "CANARY 1 Hidden Lane.pdf")

    with pytest.raises(ValidationError):
        approve(world, case, letter)
    with pytest.raises(ValidationError):
        # The text alone is not enough: the file's name carries the address too.
        approve(world, case, letter, redact=(CANARY_ADDRESS, CANARY_PHONE, CANARY_EMAIL))

    pending = letter.versions.get().attachments.get()
    case.refresh_from_db()
    attachments.remove_attachment(
        case=case,
        letter=letter,
        attachment=pending,
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    letter = approve(world, case, letter, redact=(CANARY_ADDRESS, CANARY_PHONE, CANARY_EMAIL))
    deliver(world, case, letter)

    copy = letter_services.copy_for_recipient(letter)
    assert copy is not None
    _clean(copy, "the letter's copy")
    given = attachments.attachments_for_recipient(letter)
    assert given.attachments == [] and given.removed == 1


def test_the_cases_withdrawal_tells_the_responsible_party_nothing_about_the_harmed_party(
    world: World, case: Case, django_capture_on_commit_callbacks: Capture
) -> None:
    _responsible_by_email(case)
    with django_capture_on_commit_callbacks(execute=True):
        plan(world, case)
    with django_capture_on_commit_callbacks(execute=True):
        cases.withdraw_participant(
            participant=parties(case, "harmed")[0],
            method="verbal",
            reason=f"Moved to {CANARY_ADDRESS}",
            by=world["facilitator"],
            expected_version=None,
        )
    for message in [m for m in outbox.outbox if RORY in m.to]:  # type: ignore[attr-defined]
        _clean(message.subject + message.body, f"the e-mail {message.subject!r}")
        assert "withdr" not in message.body.lower()

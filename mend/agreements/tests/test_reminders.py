"""Monitors are reminded before a term's due date and alerted once it has passed, each
once for each due date, naming the case and never a harmed party's contact details."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail as outbox
from django.core.management import call_command
from django.test import override_settings

from mend.accounts.models import User
from mend.agreements import reminders, services
from mend.agreements.models import Agreement, AgreementSettings, Term
from mend.cases.models import Participant
from mend.programs.services import end_membership
from mend.testing.agreements import agreement_case, apology, service
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, parties
from mend.testing.monitoring import agreed, closed, due, with_volunteer
from mend.testing.personas import World

pytestmark = pytest.mark.django_db
DAYS = 20


@pytest.fixture(autouse=True)
def addresses(world: World) -> None:
    for persona in ("facilitator", "volunteer", "coordinator"):
        User.objects.filter(pk=world[persona].pk).update(email=f"{persona}@riverside.example")


def on(day: date) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=False)


def run() -> list[tuple[str, list[str]]]:
    """Run the command; what it sent (subject, recipients), and forget it."""
    call_command("send_agreement_reminders", stdout=io.StringIO())
    sent = [(m.subject, list(m.to)) for m in outbox.outbox]
    outbox.outbox.clear()
    return sent


def a_term(world: World, kind: str = "apology") -> Term:
    """One open term, due in DAYS days, of an agreement in force; the volunteer is on the
    case team."""
    case = with_volunteer(world, agreement_case(world))
    terms = [due(apology(world, case) if kind == "apology" else service(world, case), DAYS)]
    agreement = agreed(world, case, terms, parties(case, Participant.Role.RESPONSIBLE)[0])
    return agreement.terms.get()


def test_a_reminder_goes_7_days_before_the_due_date_not_8_and_only_once(world: World) -> None:
    term = a_term(world)
    with on(term.due_on - timedelta(days=8)):
        assert run() == []
    with on(term.due_on - timedelta(days=7)):
        [(subject, to)] = run()
        assert to == ["facilitator@riverside.example"]
        assert term.agreement.case.reference in subject
        assert run() == []
    term.refresh_from_db()
    assert term.reminded_on == term.due_on - timedelta(days=7)
    with on(term.due_on):
        assert run() == []


def test_the_programs_reminder_days_decide_when_the_reminder_goes(world: World) -> None:
    AgreementSettings.objects.create(program=world.program, reminder_days=3)
    term = a_term(world)
    with on(term.due_on - timedelta(days=4)):
        assert run() == []
    with on(term.due_on - timedelta(days=3)):
        assert len(run()) == 1


def test_an_overdue_alert_goes_the_day_after_to_the_monitor_and_the_lead_once(
    world: World,
) -> None:
    term = a_term(world, kind="service")  # the volunteer monitors it; the facilitator leads
    with on(term.due_on):
        assert [to for _subject, to in run()] == [["volunteer@riverside.example"]]  # reminder
    with on(term.due_on + timedelta(days=1)):
        sent = run()
        assert sorted(to for _subject, [to] in sent) == [
            "facilitator@riverside.example",
            "volunteer@riverside.example",
        ]
        assert all(subject.startswith("Overdue:") for subject, _to in sent)
        assert run() == []
    with on(term.due_on + timedelta(days=10)):
        assert run() == []
    term.refresh_from_db()
    assert term.overdue_alerted_on == term.due_on + timedelta(days=1)


def test_a_lead_who_monitors_the_term_gets_one_alert(world: World) -> None:
    term = a_term(world)  # the facilitator monitors it and leads the case
    with on(term.due_on + timedelta(days=1)):
        assert [to for _subject, to in run()] == [["facilitator@riverside.example"]]


def test_a_term_first_seen_after_its_due_date_gets_the_alert_not_a_reminder(
    world: World,
) -> None:
    term = a_term(world)
    with on(term.due_on + timedelta(days=3)):
        [(subject, _to)] = run()
        assert subject.startswith("Overdue:")


def test_a_due_date_moved_later_is_reminded_of_and_alerted_again(world: World) -> None:
    term = a_term(world)
    with on(term.due_on - timedelta(days=7)):
        assert len(run()) == 1
    with on(term.due_on + timedelta(days=1)):
        assert len(run()) == 1
    # The parties gave more time (the term page moves the date; set here directly).
    later = term.due_on + timedelta(days=30)
    Term.objects.filter(pk=term.pk).update(due_on=later)
    with on(later - timedelta(days=8)):
        assert run() == []
    with on(later - timedelta(days=7)):
        [(subject, _to)] = run()
        assert subject.startswith("Reminder:")
    with on(later + timedelta(days=1)):
        [(subject, _to)] = run()
        assert subject.startswith("Overdue:")


def test_terms_done_with_of_closed_cases_or_superseded_agreements_get_nothing(
    world: World,
) -> None:
    done = a_term(world)
    services.set_term_status(
        term=done, status=Term.Status.COMPLETED, by=world["facilitator"], expected_version=None
    )
    in_closed = a_term(world)
    closed(in_closed.agreement.case)
    replaced = a_term(world)
    services.reconvene(
        agreement=replaced.agreement,
        reason="The responsible party moved away.",
        by=world["facilitator"],
        expected_version=None,
    )
    assert Agreement.objects.get(pk=replaced.agreement_id).status == "superseded"
    for day in (-7, 0, 1, 5):
        with on(done.due_on + timedelta(days=day)):
            assert run() == []


def test_a_monitor_who_left_the_program_gets_nothing(world: World) -> None:
    term = a_term(world, kind="service")
    membership = world.program.memberships.get(user=world["volunteer"], ended_at__isnull=True)
    end_membership(membership=membership, by=world["program_admin"])
    with on(term.due_on - timedelta(days=7)):
        assert run() == []
    with on(term.due_on + timedelta(days=1)):
        # The lead facilitator still hears that it is overdue.
        assert [to for _subject, to in run()] == [["facilitator@riverside.example"]]


def test_a_monitor_not_on_the_case_team_hears_nothing_of_it(world: World) -> None:
    case = agreement_case(world)  # the volunteer is not assigned to it
    terms = [due(service(world, case), DAYS)]
    term = agreed(world, case, terms, parties(case, Participant.Role.RESPONSIBLE)[0]).terms.get()
    with on(term.due_on - timedelta(days=7)):
        assert run() == []
    with on(term.due_on + timedelta(days=1)):
        assert [to for _subject, to in run()] == [["facilitator@riverside.example"]]


def test_the_email_names_the_case_kind_and_date_links_the_term_and_no_contact_details(
    world: World,
) -> None:
    term = a_term(world)
    case = term.agreement.case
    with on(term.due_on - timedelta(days=7)):
        call_command("send_agreement_reminders", stdout=io.StringIO())
    [message] = outbox.outbox
    body = str(message.body)
    assert case.reference in body and "Apology, spoken" in body
    assert term.due_on.strftime("%-d") in body and str(term.due_on.year) in body
    path = f"/cases/{case.reference}/agreements/{term.agreement_id}/terms/{term.pk}/"
    assert f"http://127.0.0.1:8000{path}" in body
    whole = f"{message.subject}\n{body}"
    for secret in (CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS, term.description, "Hana0"):
        assert secret not in whole


def test_the_email_is_in_the_monitors_language(world: World) -> None:
    User.objects.filter(pk=world["facilitator"].pk).update(preferred_language="es")
    term = a_term(world)
    with on(term.due_on - timedelta(days=7)):
        [(subject, _to)] = run()
    assert subject.startswith("Recordatorio:")


def test_a_failed_send_is_tried_again_on_the_next_run(world: World) -> None:
    term = a_term(world)
    with on(term.due_on - timedelta(days=7)):
        [notice] = reminders.due_notices()
        refused = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=9,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=2,
        )
        with refused, pytest.raises(OSError):
            reminders.notify(notice.term_id, notice.kind)
        term.refresh_from_db()
        assert term.reminded_on is None
        assert len(run()) == 1


def test_a_term_reminded_meanwhile_is_not_sent_twice(world: World) -> None:
    """Two workers holding the same task: the second finds it sent and sends nothing."""
    term = a_term(world)
    with on(term.due_on - timedelta(days=7)):
        [notice] = reminders.due_notices()
        assert reminders.notify(notice.term_id, notice.kind) == 1
        assert reminders.notify(notice.term_id, notice.kind) == 0
    assert len(outbox.outbox) == 1

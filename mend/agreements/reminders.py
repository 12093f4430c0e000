"""E-mail to the staff who follow terms up: a reminder before a term's due date, and an
alert once it has passed with the term still open.

A reminder goes to the term's monitor when the due date is within the program's reminder
days (AgreementSettings.reminder_days, 7 unless the program chose otherwise). An overdue
alert goes the day after the due date, to the monitor and to the case's lead facilitator.
Each goes once for each due date: the term records the day it went (reminded_on,
overdue_alerted_on), so a second run sends nothing, and a due date moved later is
reminded of again. Only open terms of agreements in force in open cases are followed.

What a message says: the case reference, the kind of term, its due date and a link to
the term's page; nothing else about the people in it, never a harmed party's contact
details. It goes only to staff who may see the case (mend.cases.queries): a monitor who
is not on the case team hears nothing until they are assigned to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mend.accounts.models import User
from mend.agreements.models import Agreement, AgreementSettings, Term
from mend.agreements.monitoring import DEFAULT_DAYS, program_today
from mend.agreements.progress import open_terms
from mend.cases.queries import cases_visible_to
from mend.cases.stages import ENDED
from mend.programs.models import Membership

REMINDER = "reminder"
OVERDUE = "overdue"
KINDS = (REMINDER, OVERDUE)
# Which field of the term records that each kind of message went.
SENT_ON = {REMINDER: "reminded_on", OVERDUE: "overdue_alerted_on"}


@dataclass(frozen=True)
class Notice:
    term_id: int
    kind: str


def _reminder_days() -> dict[int, int]:
    """Each program's reminder days, where the program chose them."""
    return dict(AgreementSettings.objects.values_list("program_id", "reminder_days"))


def followed_up(term: Term) -> bool:
    """An open term with a due date and a monitor, of an agreement in force in an open case."""
    agreement = term.agreement
    return (
        term.is_open
        and term.due_on is not None
        and term.monitor_id is not None
        and agreement.status == Agreement.Status.BINDING
        and agreement.case.stage not in ENDED
    )


def needs(term: Term, kind: str, today: date, days: int) -> bool:
    """Whether the term is owed this message today (and has not had it for its due date)."""
    if not followed_up(term):
        return False
    due = term.due_on
    assert due is not None
    if kind == REMINDER:
        reminded = term.reminded_on
        already = reminded is not None and due - timedelta(days=days) <= reminded <= due
        return today <= due <= today + timedelta(days=days) and not already
    alerted = term.overdue_alerted_on
    return due < today and not (alerted is not None and alerted > due)


def due_notices() -> list[Notice]:
    """The reminders and alerts owed now, each program on its own clock. Reads only the
    open terms due up to the longest reminder horizon, less those already alerted."""
    days = _reminder_days()
    horizon = max([DEFAULT_DAYS, *days.values()])
    # The day furthest ahead on any clock (UTC+14) is at most tomorrow in UTC.
    latest = timezone.now().date() + timedelta(days=1 + horizon)
    terms = (
        Term.objects.filter(
            open_terms(),
            due_on__lte=latest,
            monitor__is_active=True,
            agreement__status=Agreement.Status.BINDING,
        )
        .exclude(agreement__case__stage__in=ENDED)
        .exclude(overdue_alerted_on__gt=F("due_on"))
        .select_related("agreement__case__program")
        .order_by("due_on", "pk")
    )
    todays: dict[int, date] = {}
    owed = []
    for term in terms:
        program = term.agreement.case.program
        today = todays.setdefault(program.pk, program_today(program))
        for kind in KINDS:
            if needs(term, kind, today, days.get(program.pk, DEFAULT_DAYS)):
                owed.append(Notice(term.pk, kind))
    return owed


def _recipients(term: Term, kind: str) -> list[User]:
    """The monitor; for an alert, the case's lead facilitator too. Only people with an
    e-mail address who may still see the case: the link must open for them, and a case
    they may not see is not theirs to hear about."""
    case = term.agreement.case
    people = [term.monitor]
    if kind == OVERDUE:
        people.append(case.lead_facilitator)
    chosen = []
    for user in dict.fromkeys(p for p in people if p is not None and p.is_active and p.email):
        membership = Membership.objects.active().filter(program_id=case.program_id, user=user)
        found = membership.select_related("program").first()
        if found is not None and cases_visible_to(found).filter(pk=case.pk).exists():
            chosen.append(user)
    return chosen


def message(term: Term, kind: str, to: User) -> EmailMessage:
    """The e-mail, in the recipient's language."""
    case = term.agreement.case
    assert term.due_on is not None
    link = settings.MEND_SITE_URL + reverse(
        "agreements:term", args=[case.reference, term.agreement_id, term.pk]
    )
    with translation.override(to.preferred_language or "en"):
        names = {
            "name": to.display_name,
            "case": case.reference,
            "kind": term.get_kind_display(),
            "due": date_format(term.due_on, "j F Y"),
            "link": link,
        }
        if kind == REMINDER:
            subject = _("Reminder: a term in %(case)s is due on %(due)s") % names
            lines = [_("A term you monitor in case %(case)s is due on %(due)s: %(kind)s.") % names]
        else:
            subject = _("Overdue: a term in %(case)s was due on %(due)s") % names
            lines = [
                _("A term in case %(case)s was due on %(due)s and is still open: %(kind)s.")
                % names,
                _("You monitor this term.")
                if to.pk == term.monitor_id
                else _("You lead this case."),
            ]
        body = [
            _("Hello %(name)s,") % names,
            "",
            *lines,
            "",
            _("Open the term: %(link)s") % names,
            "",
            _("Mend sends this once for each due date."),
        ]
    return EmailMessage(subject, "\n".join(body) + "\n", None, [to.email])


def notify(term_id: int, kind: str) -> int:
    """Send one reminder or alert, if the term still needs it; returns how many e-mails
    went. The day is recorded before sending, by an update that only matches while the
    term has not had it, so two workers racing send it once; if sending fails the record
    is undone so that the next run tries again."""
    term = (
        Term.objects.select_related(
            "agreement__case__program", "agreement__case__lead_facilitator", "monitor"
        )
        .filter(pk=term_id)
        .first()
    )
    if term is None or kind not in KINDS:
        return 0
    program = term.agreement.case.program
    today = program_today(program)
    days = _reminder_days().get(program.pk, DEFAULT_DAYS)
    people = _recipients(term, kind) if needs(term, kind, today, days) else []
    if not people:
        return 0
    field = SENT_ON[kind]
    before = getattr(term, field)
    # Bookkeeping, not a change anyone made: the agreement's version stays, so no open
    # form goes stale because a reminder went.
    if not Term.objects.filter(pk=term.pk, **{field: before}).update(**{field: today}):
        return 0
    try:
        for person in people:
            message(term, kind, person).send()
    except Exception:
        Term.objects.filter(pk=term.pk, **{field: today}).update(**{field: before})
        raise
    return len(people)

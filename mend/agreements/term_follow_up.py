"""What a term's page shows of its follow-up: the money, the hours, the schedule.

Totals come from mend.agreements.progress, so the page says what completion is checked
against; the rows come from what term_queries.term_for prefetched, so the page costs the
same number of queries with one payment or a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from mend.agreements import progress
from mend.agreements.models import ZERO, Payment, ServiceSession, Term


@dataclass(frozen=True)
class ScheduleRow:
    due_on: date
    amount: Decimal
    # What the schedule adds up to by this instalment.
    running: Decimal
    state: str  # "paid", "overdue" or "due"

    @property
    def label(self) -> str:
        return {"paid": _("Paid"), "overdue": _("Overdue"), "due": _("Due")}[self.state]


def schedule(term: Term, today: date) -> list[ScheduleRow]:
    """Each instalment is met once the payments so far reach the schedule so far."""
    paid = sum((p.amount for p in term.payments.all()), ZERO)
    rows = []
    running = ZERO
    for instalment in term.instalments.all():
        running += instalment.amount
        if paid >= running:
            state = "paid"
        elif instalment.due_on < today:
            state = "overdue"
        else:
            state = "due"
        rows.append(ScheduleRow(instalment.due_on, instalment.amount, running, state))
    return rows


@dataclass(frozen=True)
class Money:
    agreed: Decimal
    paid: Decimal
    balance: Decimal
    schedule: list[ScheduleRow]
    ledger: list[Payment]

    @property
    def overpaid(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


def money(term: Term, today: date) -> Money:
    return Money(
        agreed=term.amount or ZERO,
        paid=progress.paid(term),
        balance=progress.balance(term),
        schedule=schedule(term, today),
        ledger=list(term.payments.all()),
    )


def uncorrected(term: Term) -> list[Payment]:
    """Payments that may still be corrected (each only once)."""
    corrected = {p.reverses_id for p in term.payments.all() if p.reverses_id}
    return [
        p for p in term.payments.all() if p.kind == Payment.Kind.PAYMENT and p.pk not in corrected
    ]


@dataclass(frozen=True)
class SessionRow:
    session: ServiceSession
    how: str


@dataclass(frozen=True)
class Service:
    agreed: int
    verified: int
    counted: int
    beyond: int
    unverified: int
    left: int
    rows: list[SessionRow]


def service(term: Term) -> Service:
    agreed = term.service_minutes or 0
    verified = progress.verified_minutes(term)
    return Service(
        agreed=agreed,
        verified=verified,
        counted=progress.counted_minutes(term),
        beyond=max(verified - agreed, 0),
        unverified=progress.unverified_minutes(term),
        left=progress.minutes_left(term),
        rows=[SessionRow(s, verified_how(s)) for s in term.sessions.all()],
    )


def verified_how(session: ServiceSession) -> str:
    """ "By the placement: Pat Placement", or a coordinator on its behalf."""
    if session.verified_at is None:
        return _("Not verified yet")
    if session.verified_via == ServiceSession.VerifiedVia.ON_BEHALF and session.verified_by:
        return _("By %(coordinator)s on the placement's behalf, confirmed by %(name)s") % {
            "coordinator": session.verified_by.display_name,
            "name": session.verifier_name,
        }
    return _("By the placement: %(name)s") % {"name": session.verifier_name}

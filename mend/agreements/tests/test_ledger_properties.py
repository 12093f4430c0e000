"""The restitution ledger against a plain Decimal model of it, under random operations.

Each example starts from a fresh restitution term (the agreed term renegotiated to a
random amount, in a savepoint rolled back afterwards) and applies a random sequence of
payments (random amounts to the cent, some flagged as overpayments) and corrections of a
random earlier payment, through ledger.record_payment and ledger.correct_payment only.
After every step: the balance is the agreed amount less what was paid; it is negative only
once an overpayment was recorded as such; every correction reverses its payment exactly
and the payment itself is as it was recorded; the totals are the model's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mend.agreements import ledger, progress, services
from mend.agreements.models import Payment, Term
from mend.cases.services.base import Blocked
from mend.testing.personas import build_world
from mend.testing.terms import followed_up

SETTINGS = settings(
    max_examples=int(os.environ.get("MEND_LEDGER_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else settings.default.database,
)
CENTS = st.integers(min_value=1, max_value=30_000)
PAY = st.tuples(st.just("pay"), CENTS, st.booleans())
CORRECT = st.tuples(st.just("correct"), st.integers(min_value=0, max_value=20), st.just(False))
OPERATIONS = st.lists(st.one_of(PAY, CORRECT), min_size=1, max_size=10)


@dataclass
class Model:
    """What the ledger should hold, in plain Decimals."""

    agreed: Decimal
    payments: list[tuple[int, Decimal]] = field(default_factory=list)
    corrected: set[int] = field(default_factory=set)
    overpaid_knowingly: bool = False

    @property
    def paid(self) -> Decimal:
        return sum(
            (amount for pk, amount in self.payments if pk not in self.corrected), Decimal("0.00")
        )

    @property
    def balance(self) -> Decimal:
        return self.agreed - self.paid


def _fresh_term(base: Term, agreed: Decimal, by: object) -> Term:
    agreement = base.agreement
    agreement.refresh_from_db()
    details = services.TermDetails(
        kind=Term.Kind.RESTITUTION,
        description="Pay for the repair.",
        serves=base.serves,
        amount=agreed,
        currency="USD",
    )
    return services.renegotiate_term(
        term=base,
        details=details,
        reason="A new amount for this example.",
        by=by,  # type: ignore[arg-type]
        expected_version=agreement.version,
    )


def _check(term: Term, model: Model, snapshots: dict[int, tuple[object, ...]]) -> None:
    paid, balance = progress.paid(term), progress.balance(term)
    assert balance == (term.amount or 0) - paid
    assert (paid, balance) == (model.paid, model.balance)
    if balance < 0:
        assert model.overpaid_knowingly
        assert term.payments.filter(overpayment=True).exists()
    rows = {p.pk: p for p in Payment.objects.filter(term=term)}
    assert len(rows) == len(model.payments) + len(model.corrected)
    for pk, snapshot in snapshots.items():
        row = rows[pk]
        assert (row.kind, row.amount, row.paid_on, row.method, row.receipt) == snapshot
    for correction in (p for p in rows.values() if p.kind == Payment.Kind.CORRECTION):
        assert correction.reverses_id is not None
        assert correction.amount + rows[correction.reverses_id].amount == 0


@pytest.mark.django_db
def test_the_ledger_always_agrees_with_a_plain_decimal_model() -> None:
    world = build_world()
    base = followed_up(world).restitution
    by = world["coordinator"]

    @SETTINGS
    @given(agreed_cents=CENTS, operations=OPERATIONS)
    def run(agreed_cents: int, operations: list[tuple[str, int, bool]]) -> None:
        with transaction.atomic():
            term = _fresh_term(base, Decimal(agreed_cents) / 100, by)
            model = Model(agreed=Decimal(agreed_cents) / 100)
            snapshots: dict[int, tuple[object, ...]] = {}
            for kind, number, flagged in operations:
                if kind == "pay":
                    amount = Decimal(number) / 100
                    too_much = amount > model.balance
                    try:
                        payment = ledger.record_payment(
                            term=term,
                            amount=amount,
                            paid_on=timezone.localdate(),
                            method="bank_transfer",
                            receipt=f"R-{number}",
                            overpayment=flagged,
                            by=by,
                            expected_version=None,
                        )
                    except ValidationError as error:
                        assert too_much and not flagged
                        assert "record it as an overpayment" in " ".join(
                            error.message_dict["amount"]
                        )
                    else:
                        assert not too_much or flagged
                        assert payment.overpayment == (too_much and flagged)
                        model.overpaid_knowingly |= payment.overpayment
                        model.payments.append((payment.pk, amount))
                        snapshots[payment.pk] = (
                            "payment",
                            amount,
                            payment.paid_on,
                            "bank_transfer",
                            f"R-{number}",
                        )
                elif model.payments:
                    pk, _amount = model.payments[number % len(model.payments)]
                    try:
                        ledger.correct_payment(
                            payment=Payment.objects.get(pk=pk),
                            reason="Recorded by mistake.",
                            by=by,
                            expected_version=None,
                        )
                    except Blocked:
                        assert pk in model.corrected
                    else:
                        assert pk not in model.corrected
                        model.corrected.add(pk)
                _check(term, model, snapshots)
            transaction.set_rollback(True)

    run()

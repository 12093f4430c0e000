"""The restitution ledger: payments and the corrections that reverse them.

Entries are only ever added. Two staff recording payments at once are served one after
the other under the agreement's row lock (an IMMEDIATE transaction on SQLite), so each
sees the other's payment when it checks for an overpayment: both are kept, none is lost.
A payment is an addition, so it does not make other open forms stale; the form it came
from is still refused if the agreement changed since it was opened.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.agreements import progress
from mend.agreements.amounts import written
from mend.agreements.models import ZERO, Payment, Term
from mend.agreements.services import _audit, _in_force, lock_agreement, money
from mend.cases.services.base import Blocked
from mend.core.dates import past_date

if TYPE_CHECKING:
    from mend.accounts.models import User


def _restitution(term: Term) -> None:
    if term.kind != Term.Kind.RESTITUTION:
        raise Blocked(_("Payments are recorded only for a restitution term."))
    if term.status == Term.Status.RENEGOTIATED:
        raise Blocked(
            _("This term was renegotiated: record payments on the term that replaced it.")
        )


@transaction.atomic
def record_payment(
    *,
    term: Term,
    amount: Any,
    paid_on: date,
    method: str,
    receipt: str = "",
    overpayment: bool = False,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> Payment:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    term.refresh_from_db()
    _restitution(term)
    errors: dict[str, str] = {}
    try:
        value = money(amount)
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
        value = None
    try:
        past_date(paid_on)
    except ValidationError as error:
        errors["paid_on"] = " ".join(error.messages)
    if method not in Payment.Method.values:
        errors["method"] = _("Say how it was paid.")
    if value is not None and not errors:
        owed = progress.balance(term)
        if value > owed and not overpayment:
            errors["amount"] = _(
                "%(owed)s is still owed: this payment is more than that. "
                "Check the amount, or record it as an overpayment."
            ) % {"owed": written(max(owed, ZERO), term.currency)}
    if errors:
        raise ValidationError(errors)
    assert value is not None
    payment = Payment.objects.create(
        term=term,
        amount=value,
        paid_on=paid_on,
        method=method,
        receipt=receipt.strip(),
        overpayment=bool(overpayment) and value > progress.balance(term),
        recorded_by=by,
    )
    if term.status == Term.Status.PENDING:
        term.status = Term.Status.IN_PROGRESS
        term.save(update_fields=["status"])
    _audit(case, agreement, "agreement.payment_recorded", by, obj=payment, reason=closed_reason)
    return payment


@transaction.atomic
def correct_payment(
    *,
    payment: Payment,
    reason: str,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> Payment:
    """A new entry reversing `payment` exactly. The payment itself is never edited."""
    term = payment.term
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    payment.refresh_from_db()
    if payment.kind != Payment.Kind.PAYMENT:
        raise Blocked(_("A correction cannot itself be corrected: record the payment again."))
    if Payment.objects.filter(reverses=payment).exists():
        raise Blocked(_("This payment has already been corrected."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is being corrected.")})
    correction = Payment.objects.create(
        term=term,
        kind=Payment.Kind.CORRECTION,
        amount=-payment.amount,
        paid_on=payment.paid_on,
        method=payment.method,
        receipt=payment.receipt,
        reverses=payment,
        reason=reason.strip(),
        recorded_by=by,
    )
    _audit(
        case,
        agreement,
        "agreement.payment_corrected",
        by,
        obj=correction,
        reason=closed_reason,
        reverses=str(payment.pk),
    )
    return correction

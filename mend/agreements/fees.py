"""The program's own participation fees: one ledger per participant, never restitution.

Restitution is owed to the person harmed and lives on its term (ledger.py); a fee is owed
to the program. The two never share a row or a sum.

Amounts are signed (FeeEntry's docstring): the balance is the sum of a participant's
entries, charges less payments and waivers, and it never goes below zero: a payment or a
waiver above what is owed is refused, and so is a correction that would leave less than
nothing owed.

Entries are only added. The form's version is how many fee entries the case held when it
was opened, so a form opened before someone else's entry is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from mend.agreements.models import ZERO, AgreementSettings, FeeEntry
from mend.agreements.services import money
from mend.cases.models import Case, Participant
from mend.cases.services.base import (
    Blocked,
    changed,
    closed_details,
    lock_case,
    require_reason_if_closed,
)
from mend.core.dates import plausible_date

if TYPE_CHECKING:
    from mend.accounts.models import User

STALE = "stale"
# Who may owe the program a fee: the responsible party, or the parent or guardian who pays.
PAYERS = (Participant.Role.RESPONSIBLE, Participant.Role.GUARDIAN)
# Entries that move money and may be corrected.
CORRECTABLE = (FeeEntry.Kind.CHARGE, FeeEntry.Kind.PAYMENT, FeeEntry.Kind.WAIVER)


def settings_of(program_id: int) -> AgreementSettings:
    """The program's agreement settings, or the defaults when none were saved yet."""
    found = AgreementSettings.objects.filter(program_id=program_id).first()
    return found or AgreementSettings(program_id=program_id)


def payers(case: Case) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(case=case, role__in=PAYERS)
        .select_related("person")
        .order_by("role", "pk")
    )


def entries_of(case: Case) -> QuerySet[FeeEntry]:
    return FeeEntry.objects.filter(case=case).select_related("recorded_by", "reverses")


def balance(case: Case, participant: Participant) -> Decimal:
    """What the participant still owes the program."""
    total = FeeEntry.objects.filter(case=case, participant=participant).aggregate(
        total=Sum("amount")
    )["total"]
    return (total or ZERO).quantize(Decimal("0.01"))


def balances(case: Case) -> dict[int, Decimal]:
    """Every payer's balance in one query: participant id -> owed."""
    rows = FeeEntry.objects.filter(case=case).values("participant_id").annotate(total=Sum("amount"))
    return {row["participant_id"]: row["total"].quantize(Decimal("0.01")) for row in rows}


@dataclass(frozen=True)
class Details:
    kind: str
    amount: Any = None
    on: date | None = None
    note: str = ""


def _lock(case: Case, participant: Participant, expected_version: int | None, reason: str) -> Case:
    locked = lock_case(case, None)
    if participant.case_id != locked.pk or participant.role not in PAYERS:
        raise ValidationError({"participant": _("Choose a responsible party or their guardian.")})
    held = FeeEntry.objects.filter(case=locked).count()
    if expected_version is not None and held != expected_version:
        raise ValidationError(
            _(
                "Someone recorded a fee in this case since you opened the form. Nothing was "
                "saved. Reload the page to see the fees as they are now."
            ),
            code=STALE,
        )
    require_reason_if_closed(locked, reason)
    return locked


def _audit(case: Case, entry: FeeEntry, action: str, by: User, reason: str, **extra: Any) -> None:
    details = closed_details(case, reason)
    changed(
        case,
        by=by,
        action=action,
        obj=entry,
        participant=str(entry.participant_id),
        kind=entry.kind,
        **details,
        **extra,
    )


ACTIONS: dict[str, str] = {
    FeeEntry.Kind.CHARGE: "fee.charged",
    FeeEntry.Kind.PAYMENT: "fee.paid",
    FeeEntry.Kind.WAIVER: "fee.waived",
    FeeEntry.Kind.PLAN: "fee.plan_recorded",
}


@transaction.atomic
def record_fee(
    *,
    case: Case,
    participant: Participant,
    details: Details,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> FeeEntry:
    """A charge, a payment, a waiver or a payment plan on the participant's ledger."""
    locked = _lock(case, participant, expected_version, closed_reason)
    kind = details.kind
    errors: dict[str, str] = {}
    if kind not in ACTIONS:
        errors["kind"] = _("Say what to record: a fee, a payment, a waiver or a plan.")
    if not settings_of(locked.program_id).charges_fees:
        raise Blocked(_("The program does not charge fees: turn them on in its settings first."))
    note = details.note.strip()
    value = ZERO
    if kind != FeeEntry.Kind.PLAN:
        try:
            value = money(details.amount)
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if details.on is None:
        errors["on"] = _("Enter the date.")
    else:
        try:
            plausible_date(details.on, years_ahead=0)
        except ValidationError as error:
            errors["on"] = " ".join(error.messages)
    if kind == FeeEntry.Kind.WAIVER and not note:
        errors["note"] = _("Say why the fee is waived.")
    if kind == FeeEntry.Kind.PLAN and not note:
        errors["note"] = _("Say what was agreed: how much, and when.")
    if not errors and kind in (FeeEntry.Kind.PAYMENT, FeeEntry.Kind.WAIVER):
        owed = balance(locked, participant)
        if value > owed:
            errors["amount"] = _(
                "%(owed)s %(currency)s is owed: this is more than that. Check the amount."
            ) % {"owed": owed, "currency": settings_of(locked.program_id).currency}
    if errors:
        raise ValidationError(errors)
    assert details.on is not None
    sign = 1 if kind == FeeEntry.Kind.CHARGE else -1
    entry = FeeEntry.objects.create(
        case=locked,
        participant=participant,
        kind=kind,
        amount=sign * value if kind != FeeEntry.Kind.PLAN else ZERO,
        on=details.on,
        note=note,
        recorded_by=by,
    )
    _audit(locked, entry, ACTIONS[kind], by, closed_reason)
    return entry


@transaction.atomic
def correct_fee(
    *,
    entry: FeeEntry,
    reason: str,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> FeeEntry:
    """A new entry reversing `entry` exactly. The entry itself is never edited."""
    participant = entry.participant
    locked = _lock(entry.case, participant, expected_version, closed_reason)
    entry.refresh_from_db()
    if entry.kind not in CORRECTABLE:
        raise Blocked(_("Only a fee, a payment or a waiver can be corrected."))
    if FeeEntry.objects.filter(reverses=entry).exists():
        raise Blocked(_("This entry has already been corrected."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is being corrected.")})
    if balance(locked, participant) - entry.amount < 0:
        raise Blocked(
            _(
                "Taking back this fee would leave less than nothing owed: correct the "
                "payments or waivers against it first."
            )
        )
    correction = FeeEntry.objects.create(
        case=locked,
        participant=participant,
        kind=FeeEntry.Kind.CORRECTION,
        amount=-entry.amount,
        on=entry.on,
        note=reason.strip(),
        reverses=entry,
        recorded_by=by,
    )
    _audit(locked, correction, "fee.corrected", by, closed_reason, reverses=str(entry.pk))
    return correction

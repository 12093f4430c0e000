"""The one write to a program's agreement settings: fees, reminders, what referrers read."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.agreements.models import AgreementSettings, Term
from mend.agreements.services import money
from mend.core import audit
from mend.programs.models import Program

if TYPE_CHECKING:
    from mend.accounts.models import User

STALE = "stale"


def _check(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    currency = str(values["currency"]).strip().upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        errors["currency"] = _("Enter a three-letter currency code, such as USD or EUR.")
    fee: Decimal | None = None
    if values.get("standard_fee") not in (None, ""):
        try:
            fee = money(values["standard_fee"], "standard_fee")
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if values["charges_fees"] and fee is None and "standard_fee" not in errors:
        errors["standard_fee"] = _("Give the standard fee the program charges.")
    days = values["reminder_days"]
    if not isinstance(days, int) or not 0 <= days <= 90:
        errors["reminder_days"] = _("Enter a number of days between 0 and 90.")
    kinds = list(values["kinds_shared_with_referrer"])
    if any(kind not in Term.Kind.values for kind in kinds):
        errors["kinds_shared_with_referrer"] = _("Choose kinds of term from the list.")
    if errors:
        raise ValidationError(errors)
    return {
        "currency": currency,
        "charges_fees": bool(values["charges_fees"]),
        "standard_fee": fee,
        "reminder_days": days,
        "kinds_shared_with_referrer": [kind for kind in Term.Kind.values if kind in kinds],
    }


@transaction.atomic
def update_agreement_settings(
    *, program: Program, by: User | None, expected_version: int | None, **values: Any
) -> AgreementSettings:
    """Save the program's agreement settings. `expected_version` is the settings' version
    the form was opened on (1 for settings never saved)."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    found = AgreementSettings.objects.select_for_update().filter(program=program).first()
    current = found or AgreementSettings(program=program)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Someone changed these settings since you opened the form. Nothing was saved."),
            code=STALE,
        )
    changes = _check(values)
    changed = [field for field, value in changes.items() if getattr(current, field) != value]
    if found is not None and not changed:
        return current
    for field, value in changes.items():
        setattr(current, field, value)
    if found is not None:
        current.version += 1
    current.save()
    audit.record(
        actor=by,
        action="agreement_settings.changed",
        obj=current,
        program=program,
        changed_fields=changed,
    )
    return current

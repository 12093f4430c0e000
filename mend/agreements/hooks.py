"""What an agreement's milestones tell the rest of Mend, called inside the transaction
that reached them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mend.cases.services import record_agreement_reached

if TYPE_CHECKING:
    from mend.accounts.models import User
    from mend.agreements.models import Agreement
    from mend.cases.models import Case


def agreement_reached(case: Case, agreement: Agreement, by: User | None) -> None:
    """Every party agreed: the case records that an agreement was reached, and the referrer
    and partner systems hear that it was (never what it says)."""
    last = max(signature.agreed_on for signature in agreement.signatures.all())
    record_agreement_reached(case=case, on=last, by=by)

"""What an agreement's milestones tell the rest of Mend, called inside the transaction
that reached them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mend.accounts.models import User
    from mend.agreements.models import Agreement
    from mend.cases.models import Case


def agreement_reached(case: Case, agreement: Agreement, by: User | None) -> None:
    """Every party agreed: the case records that an agreement was reached."""

"""Money as the reader's language writes it: "1,234.50 USD" in English, "1 234,50 USD" in
Spanish. Every amount shown to a person, on a page or in a refusal, passes here."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats


def written(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return ""
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}".strip()

"""{{ amount|money:currency }} and {{ minutes|hours }}: amounts and service time as the
reader's language writes them ("1,234.50 USD", "1.234,50 USD"; "12 h 30 min")."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats

from mend.agreements import progress

register = template.Library()


def shown_money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return ""
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}".strip()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    return shown_money(amount, currency)


@register.filter
def hours(minutes: int | None) -> str:
    return progress.hours(minutes or 0)

"""{{ amount|money:currency }} and {{ minutes|hours }}: amounts and service time as the
reader's language writes them ("1,234.50 USD", "1.234,50 USD"; "12 h 30 min")."""

from __future__ import annotations

from decimal import Decimal

from django import template

from mend.agreements import progress
from mend.agreements.amounts import written

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    return written(amount, currency)


@register.filter
def hours(minutes: int | None) -> str:
    return progress.hours(minutes or 0)

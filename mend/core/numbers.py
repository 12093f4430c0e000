"""Reading a whole number someone sent (a version, an id in an address or a form).

`str.isdigit()` accepts "²" and `isdecimal()` accepts 5,000 digits, and `int()` refuses
both (with a 500 if nobody catches it): a number is only what fits a database id.
"""

from __future__ import annotations

# Database ids and versions are 64-bit: 18 digits always fit.
LONGEST = 18


def whole_number(raw: str | None) -> int | None:
    """The number `raw` writes in ASCII digits, or None when it writes none."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > LONGEST:
        return None
    return int(text)

"""Small-cell suppression for figures an analyst or the public reads.

Counts under the program's threshold (default 5), zero included, read "fewer than 5".
That alone is not enough: where a total is published, the total minus the cells shown
gives back a hidden cell. So the figures shown together are described as lines (a total
and the parts it is the sum of), and more cells are hidden ("complementary
suppression") until no hidden small cell can be worked out from what is shown, even by
chaining lines across tables. What an attacker could work out is found by narrowing
each hidden cell's possible range line by line until nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

UNBOUNDED = 10**12


class Shown(Enum):
    EXACT = "exact"
    # Under the threshold.
    FEWER = "fewer"
    # Not small itself, but hidden so that a small cell cannot be worked out.
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Line:
    """`total` is the sum of `parts` (keys of cells shown together)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Cell:
    value: int
    shown: Shown

    @property
    def visible(self) -> bool:
        return self.shown is Shown.EXACT


def suppress(
    values: dict[Hashable, int], lines: Iterable[Line], threshold: int
) -> dict[Hashable, Cell]:
    lines = [line for line in lines if line.parts]
    shown = {
        key: Shown.FEWER if value < threshold else Shown.EXACT for key, value in values.items()
    }
    while True:
        exposed, known = _worked_out(values, shown, lines, threshold)
        if not exposed:
            break
        # Break the chain nearest the small cell first, then wherever a hidden cell can
        # still be worked out; as a last resort hide everything still shown.
        if not (
            _hide_one_more(values, shown, lines, exposed)
            or _hide_one_more(values, shown, lines, known)
        ):
            for key, how in shown.items():
                if how is Shown.EXACT:
                    shown[key] = Shown.HIDDEN
            # Nothing is left to hide: what could still be worked out is read off the
            # hidden cells themselves (with a threshold of 1, "fewer than 1" is zero).
            break
    return {key: Cell(values[key], shown[key]) for key in values}


def _hide_one_more(
    values: dict[Hashable, int],
    shown: dict[Hashable, Shown],
    lines: list[Line],
    leaking: set[Hashable],
) -> bool:
    """Hide the smallest cell still shown in a line through which a hidden cell leaks;
    parts before totals, since a total is the figure readers most want."""
    for line in lines:
        if not leaking & {line.total, *line.parts}:
            continue
        candidates = [key for key in line.parts if shown[key] is Shown.EXACT]
        if not candidates and shown[line.total] is Shown.EXACT:
            candidates = [line.total]
        if candidates:
            smallest = min(candidates, key=lambda key: (values[key], str(key)))
            shown[smallest] = Shown.HIDDEN
            return True
    return False


def _worked_out(
    values: dict[Hashable, int],
    shown: dict[Hashable, Shown],
    lines: list[Line],
    threshold: int,
) -> tuple[set[Hashable], set[Hashable]]:
    """The small cells whose value can be worked out from what is shown, and every hidden
    cell that can (the links of the chain that gives them away)."""
    low: dict[Hashable, int] = {}
    high: dict[Hashable, int] = {}
    for key, how in shown.items():
        if how is Shown.EXACT:
            low[key] = high[key] = values[key]
        elif how is Shown.FEWER:
            low[key], high[key] = 0, threshold - 1
        else:
            low[key], high[key] = threshold, UNBOUNDED
    changed = True
    while changed:
        changed = False
        for line in lines:
            parts_low = sum(low[key] for key in line.parts)
            parts_high = sum(high[key] for key in line.parts)
            # The total lies between the sums of its parts' bounds ...
            if parts_low > low[line.total] or parts_high < high[line.total]:
                low[line.total] = max(low[line.total], parts_low)
                high[line.total] = min(high[line.total], parts_high)
                changed = True
            # ... and each part between the total less what the others could be.
            for key in line.parts:
                others_low = parts_low - low[key]
                others_high = parts_high - high[key]
                new_low = max(low[key], low[line.total] - others_high)
                new_high = min(high[key], high[line.total] - others_low)
                if (new_low, new_high) != (low[key], high[key]):
                    low[key], high[key] = new_low, new_high
                    parts_low = sum(low[k] for k in line.parts)
                    parts_high = sum(high[k] for k in line.parts)
                    changed = True
    known = {key for key, how in shown.items() if how is not Shown.EXACT and low[key] == high[key]}
    return {key for key in known if shown[key] is Shown.FEWER}, known

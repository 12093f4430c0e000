"""Small cells stay hidden: no subtraction of published cells from published totals,
chained across the tables shown together, gives one back."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from mend.outcomes.suppression import Line, Shown, suppress

THRESHOLD = 5


def two_tables(matrix: list[list[int]], other: list[int]) -> tuple[dict[Hashable, int], list[Line]]:
    """A rows x columns table with its row, column and grand totals, and a second
    breakdown of the same grand total shown beside it (as on the reports page)."""
    values: dict[Hashable, int] = {}
    lines: list[Line] = []
    rows, columns = len(matrix), len(matrix[0])
    for r in range(rows):
        for c in range(columns):
            values[("cell", r, c)] = matrix[r][c]
        values[("row", r)] = sum(matrix[r])
        lines.append(Line(("row", r), tuple(("cell", r, c) for c in range(columns))))
    for c in range(columns):
        values[("column", c)] = sum(matrix[r][c] for r in range(rows))
        lines.append(Line(("column", c), tuple(("cell", r, c) for r in range(rows))))
    values["total"] = sum(map(sum, matrix))
    lines.append(Line("total", tuple(("row", r) for r in range(rows))))
    lines.append(Line("total", tuple(("column", c) for c in range(columns))))
    # The second table splits the same total another way; its last part takes the rest.
    parts = [min(part, values["total"]) for part in other]
    rest = values["total"]
    for index, part in enumerate(parts):
        part = min(part, rest)
        values[("other", index)] = part
        rest -= part
    values[("other", len(parts))] = rest
    lines.append(Line("total", tuple(("other", i) for i in range(len(parts) + 1))))
    return values, lines


def worked_out(published: dict[Hashable, int | None], lines: list[Line]) -> dict[Hashable, int]:
    """What a reader can work out: repeatedly, a line with one unknown gives it as the
    total less the rest (or the total as the sum of its parts)."""
    known = {key: value for key, value in published.items() if value is not None}
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [key for key in (line.total, *line.parts) if key not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            if key == line.total:
                known[key] = sum(known[part] for part in line.parts)
            else:
                known[key] = known[line.total] - sum(known[p] for p in line.parts if p != key)
            progress = True
    return known


matrices = st.integers(1, 4).flatmap(
    lambda columns: st.lists(
        st.lists(st.integers(0, 12), min_size=columns, max_size=columns), min_size=1, max_size=4
    )
)


@settings(max_examples=300, deadline=None)
@given(matrix=matrices, other=st.lists(st.integers(0, 30), max_size=3))
def test_no_small_cell_can_be_worked_out_from_the_cells_and_totals_shown(
    matrix: list[list[int]], other: list[int]
) -> None:
    values, lines = two_tables(matrix, other)
    cells = suppress(values, lines, THRESHOLD)
    published = {key: cell.value if cell.visible else None for key, cell in cells.items()}
    recovered = worked_out(published, lines)
    for key, cell in cells.items():
        if cell.shown is Shown.FEWER:
            assert key not in recovered, (key, cell.value)


@settings(max_examples=200, deadline=None)
@given(matrix=matrices, other=st.lists(st.integers(0, 30), max_size=3))
def test_every_count_under_the_threshold_reads_fewer_and_every_shown_count_is_exact(
    matrix: list[list[int]], other: list[int]
) -> None:
    values, lines = two_tables(matrix, other)
    for key, cell in suppress(values, lines, THRESHOLD).items():
        assert cell.value == values[key]
        if values[key] < THRESHOLD:
            assert cell.shown is Shown.FEWER
        else:
            assert cell.shown in (Shown.EXACT, Shown.HIDDEN)


def test_one_small_cell_beside_a_total_takes_a_second_cell_with_it() -> None:
    values = {"total": 30, "a": 3, "b": 12, "c": 15}
    cells = suppress(values, [Line("total", ("a", "b", "c"))], THRESHOLD)
    assert cells["a"].shown is Shown.FEWER
    assert cells["b"].shown is Shown.HIDDEN  # the smallest other cell
    assert cells["c"].visible and cells["total"].visible


def test_nothing_is_hidden_when_every_cell_is_large() -> None:
    values = {"total": 30, "a": 10, "b": 20}
    cells = suppress(values, [Line("total", ("a", "b"))], THRESHOLD)
    assert all(cell.visible for cell in cells.values())


def test_suppression_ends_even_when_a_hidden_cell_gives_itself_away() -> None:
    # With a threshold of 1, "fewer than 1" can only be zero: hiding more cannot help,
    # and suppression must still finish (it once looped for ever).
    cells = suppress({"total": 3, "a": 3, "b": 0}, [Line("total", ("a", "b"))], threshold=1)
    assert cells["b"].shown is Shown.FEWER
    assert not any(cell.visible for cell in cells.values())

"""Every measure is described in docs/measures.md, and every rule says how it counts."""

from __future__ import annotations

from pathlib import Path

from mend.outcomes import measures

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_every_measure_is_described_in_the_measures_document() -> None:
    text = (DOCS / "measures.md").read_text() + (DOCS / "returns.md").read_text()
    missing = [m.code for m in measures.all_measures() if f"`{m.code}`" not in text]
    assert not missing, f"Describe these in docs/measures.md: {missing}"


def test_every_measure_has_a_label_and_a_counting_rule_of_its_own() -> None:
    rules = [str(m.rule) for m in measures.all_measures()]
    assert all(len(rule) > 40 for rule in rules)
    assert len(set(rules)) == len(rules)
    assert len({m.code for m in measures.all_measures()}) == len(rules)

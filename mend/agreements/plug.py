"""How agreements plugs into cases: its section of the case page, its timeline entries,
its stage rules, the sentences of its audit rows."""

from __future__ import annotations


def plug_in() -> None:
    from mend.agreements import sentences

    sentences.register_sentences()
    # The demo's cases that reach agreement record their agreements here.
    from mend.agreements import demo
    from mend.cases import demo as cases_demo

    cases_demo.add_agreed(demo.record)

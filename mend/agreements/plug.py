"""How agreements plugs into cases: its section of the case page, its timeline entries,
its stage rules, the sentences of its audit rows."""

from __future__ import annotations


def plug_in() -> None:
    from mend.agreements import sentences

    sentences.register_sentences()

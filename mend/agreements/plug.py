"""How agreements plugs into cases: its stage rules and their sentences, what closing a
case does to its agreements, the sentences of its audit rows, and its part of the demo."""

from __future__ import annotations


def plug_in() -> None:
    from mend.agreements import demo_story, sentences, services, stage_rules
    from mend.cases import demo, registry

    registry.add_stage_condition(stage_rules.agreement_done)
    registry.add_case_changed(services.follow_case_ending)
    stage_rules.register_wordings()
    sentences.register_sentences()
    # The demo's agreements are reached at the meeting, and done before the case closes.
    demo.add_happened(demo_story.agree)
    demo.add_closing(demo_story.settle)

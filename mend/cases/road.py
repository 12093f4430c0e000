"""The whole road ahead of a case: what each later step will need, not only the next.

So a coordinator preparing contact already sees that the chosen process will need, say,
everyone's consent to meet face to face and a current safety assessment, and is not
surprised one stage later.
"""

from __future__ import annotations

from typing import Any

from mend.cases.rules import CaseFacts, what_blocks
from mend.cases.stages import MAIN_PATH, NEXT, Stage

# The road is shown up to the restorative process: beyond it, what is needed depends on
# what happens in the room.
LAST = Stage.PROCESS


def road_ahead(facts: CaseFacts) -> list[dict[str, Any]]:
    """For each step after the next one, up to the process: what it will still need."""
    stage = facts.case.stage
    if stage not in NEXT or stage not in MAIN_PATH:
        return []
    seen = set(what_blocks(facts, NEXT[stage]))
    road = []
    for step in MAIN_PATH[MAIN_PATH.index(Stage(NEXT[stage])) + 1 : MAIN_PATH.index(LAST) + 1]:
        notices = [n for n in what_blocks(facts, step) if n not in seen]
        seen.update(notices)
        if notices:
            road.append({"stage": Stage(step).label, "needs": facts.say(notices)})
    return road

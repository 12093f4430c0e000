"""Where the apps built on cases plug in, without `cases` importing them.

An app registers from its AppConfig.ready(); registering twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mend.cases.notices import Notice
    from mend.cases.rules import CaseFacts

# (facts, to) -> notices: more conditions for moving a case to a stage, for example
# "a meeting has been held" before Agreement and follow-up.
StageCondition = Callable[["CaseFacts", str], list["Notice"]]

_stage_conditions: list[StageCondition] = []


def add_stage_condition(condition: StageCondition) -> None:
    if condition not in _stage_conditions:
        _stage_conditions.append(condition)


def stage_conditions(facts: CaseFacts, to: str) -> list[Notice]:
    return [notice for condition in _stage_conditions for notice in condition(facts, to)]

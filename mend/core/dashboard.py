"""Dashboard panels. Each app registers a function that returns its panels for a member."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from mend.programs.models import Membership


@dataclass
class PanelRow:
    label: str
    url: str
    detail: str = ""
    overdue: bool = False


@dataclass
class Panel:
    key: str
    title: str | Promise
    rows: list[PanelRow] = field(default_factory=list)
    total: int = 0
    empty: str | Promise = ""
    more_url: str = ""
    # How many rows "See all" leads to, when it lists them differently (cases, not people).
    more_count: int = 0
    # False for a panel of figures, where a count of its rows would mean nothing.
    counted: bool = True


PanelSource = Callable[["Membership"], list[Panel]]
_SOURCES: list[PanelSource] = []


def register(source: PanelSource) -> PanelSource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def panels_for(membership: Membership) -> list[Panel]:
    return [panel for source in _SOURCES for panel in source(membership)]

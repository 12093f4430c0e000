"""The staff navigation. Each app adds its own entries in its AppConfig.ready().

An entry shows only to people whose role in the current program has its capability
(or to everyone signed in when it names none), so the menu never offers a page that
would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from mend.programs.models import Membership


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: str | None = None
    order: int = 100


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)


def items_for(membership: Membership | None) -> list[tuple[str | Promise, str, str]]:
    """(label, url, url_name) for each entry the member may open, in menu order."""
    visible = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.capability is not None and (
            membership is None or not membership.can(item.capability)
        ):
            continue
        visible.append((item.label, reverse(item.url_name), item.url_name))
    return visible

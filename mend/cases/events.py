"""A tiny, explicit hook for other apps to hear about referral status changes.

The cases services call `referral_status_changed` at the points where a partner's view of
a referral changes (accepted, declined, process started, agreement reached, closed),
inside their own transaction. Apps register a listener in their AppConfig.ready(); a
listener that writes rows writes them in the same transaction, so they commit or roll
back with the change.
This is deliberately not a Django signal: the call sites are plain to see in services.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mend.cases.models import Referral

ACCEPTED = "referral.accepted"
DECLINED = "referral.declined"
PROCESS_STARTED = "referral.process_started"
AGREEMENT_REACHED = "referral.agreement_reached"
CLOSED = "referral.closed"
EVENTS = (ACCEPTED, DECLINED, PROCESS_STARTED, AGREEMENT_REACHED, CLOSED)

Listener = Callable[["Referral", str], None]

_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    """Call `listener(referral, event)` on every change. Registering twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)


def referral_status_changed(referral: Referral, event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown referral event {event!r}.")
    for listener in list(_listeners):
        listener(referral, event)

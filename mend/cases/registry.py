"""Where the apps built on cases plug in, without `cases` importing them.

An app registers from its AppConfig.ready(); registering twice is harmless. Five kinds:
- stage conditions: more conditions for moving a case to a stage;
- case-page sections: a block of the case page (meetings, letters, agreements);
- case actions: more entries of the action table (mend.cases.actions), run by the one
  action view like the others, with the same version check and one-time token;
- timeline sources: more entries for the case timeline;
- referral sections: a block of the page a referrer follows their referral on;
and one hook, `case_changed`, called inside the transaction of a service that changed
consent, an assessment, a protective order, a withdrawal, a pause or a closure, so an app
can act on it at once (processes cancels the meetings that may no longer take place).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mend.accounts.models import User
    from mend.cases.actions import Action
    from mend.cases.models import Case, Referral
    from mend.cases.notices import Notice
    from mend.cases.rules import CaseFacts
    from mend.cases.timeline import Entry
    from mend.programs.models import Membership

# (facts, to) -> notices: more conditions for moving a case to a stage, for example
# "a meeting has been held" before Agreement and follow-up.
StageCondition = Callable[["CaseFacts", str], list["Notice"]]
# (case, membership, request) -> HTML of one section of the case page ("" shows nothing).
CaseSection = Callable[["Case", "Membership", "HttpRequest"], str]
# (referral, membership, request) -> HTML of one section of the referrer's referral page.
ReferralSection = Callable[["Referral", "Membership", "HttpRequest"], str]
# (case) -> timeline entries.
TimelineSource = Callable[["Case"], list["Entry"]]
# (case, by, reason code) -> None, under the case's row lock.
CaseChanged = Callable[["Case", "User | None", str], None]

# The `to` a stage condition is asked with when a case is about to close as completed
# (with or without agreement): closing is not a move along the path, but has conditions.
COMPLETING = "completing"
# Asked as well when the case is about to close as completed with agreement: what was
# agreed must have been done (agreements says what is still open).
COMPLETING_WITH_AGREEMENT = "completing_with_agreement"

# Reason codes passed to the case_changed hooks.
CONSENT_CHANGED = "consent_changed"
ASSESSMENT_RECORDED = "assessment_recorded"
WITHDRAWAL = "withdrawal"
PAUSED = "paused"
CLOSED = "closed"
# A no-contact or protective order now stands in the way of joint meetings.
ORDER_RECORDED = "order_recorded"
# The daily sweep (check_case_safety): what time alone ends, such as an assessment running
# out or an order starting today.
DAILY_CHECK = "daily_check"
ORDER_PERMISSION_WITHDRAWN = "order_permission_withdrawn"

_stage_conditions: list[StageCondition] = []
_sections: list[CaseSection] = []
_timeline_sources: list[TimelineSource] = []
_referral_sections: list[ReferralSection] = []
_case_changed: list[CaseChanged] = []


def add_stage_condition(condition: StageCondition) -> None:
    if condition not in _stage_conditions:
        _stage_conditions.append(condition)


def stage_conditions(facts: CaseFacts, to: str) -> list[Notice]:
    return [notice for condition in _stage_conditions for notice in condition(facts, to)]


def add_case_section(section: CaseSection) -> None:
    if section not in _sections:
        _sections.append(section)


def case_sections(case: Case, membership: Membership, request: HttpRequest) -> list[str]:
    """The added sections of the case page, rendered, in the order they were registered."""
    rendered = (section(case, membership, request) for section in _sections)
    return [html for html in rendered if html]


def add_referral_section(section: ReferralSection) -> None:
    """A block of the page a referrer follows their referral on (an outcome report)."""
    if section not in _referral_sections:
        _referral_sections.append(section)


def referral_sections(
    referral: Referral, membership: Membership, request: HttpRequest
) -> list[str]:
    rendered = (section(referral, membership, request) for section in _referral_sections)
    return [html for html in rendered if html]


def add_case_action(action: Action) -> None:
    """Add an action to the table; its key must not be one cases already uses."""
    from mend.cases.actions import ACTIONS

    existing = ACTIONS.get(action.name)
    if existing is not None and existing != action:
        raise ValueError(f"A case action named {action.name!r} exists already.")
    ACTIONS[action.name] = action


def add_timeline_source(source: TimelineSource) -> None:
    if source not in _timeline_sources:
        _timeline_sources.append(source)


def timeline_entries(case: Case) -> list[Entry]:
    return [entry for source in _timeline_sources for entry in source(case)]


def add_case_changed(hook: CaseChanged) -> None:
    if hook not in _case_changed:
        _case_changed.append(hook)


def case_changed(case: Case, by: User | None, reason: str) -> None:
    for hook in _case_changed:
        hook(case, by, reason)

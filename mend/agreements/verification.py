"""The placement's own page: its contact confirms the hours served there, or says a session
is wrong. No sign-in: the link's token is the credential.

The contact sees the least they need to recognise a session: the person's given name and
family initial, the day, and the times. Nothing else about the case, ever.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.agreements import hours
from mend.agreements.models import Agreement, Placement, ServiceSession, Term
from mend.agreements.progress import hours as hours_text
from mend.agreements.services import lock_agreement
from mend.cases.services.base import Blocked, changed
from mend.cases.stages import ENDED
from mend.processes.feed_services import hash_token

# What the contact may say is wrong with a session.
PROBLEMS = {
    "times": gettext_lazy("The times are wrong"),
    "date": gettext_lazy("The date is wrong"),
    "absent": gettext_lazy("This person was not here that day"),
    "other": gettext_lazy("Something else"),
}


def placement_for(token: str) -> Placement | None:
    """The working placement the token opens, or None: unknown, revoked or retired."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    # Found by its hash (an index lookup that says nothing about the token), then compared
    # in constant time.
    placement = Placement.objects.filter(verify_token_hash=digest, is_active=True).first()
    if placement is None or not hmac.compare_digest(placement.verify_token_hash, digest):
        return None
    return placement


def awaiting(placement: Placement) -> QuerySet[ServiceSession]:
    """The placement's checked-out, unverified sessions of open terms in cases still open."""
    return (
        ServiceSession.objects.filter(
            placement=placement,
            minutes__isnull=False,
            verified_at__isnull=True,
            term__status__in=[Term.Status.PENDING, Term.Status.IN_PROGRESS],
            term__agreement__status=Agreement.Status.BINDING,
        )
        .exclude(term__agreement__case__stage__in=ENDED)
        .select_related("term__agreement__responsible__person")
        .order_by("on", "checked_in", "id")
    )


@dataclass(frozen=True)
class Row:
    """A session as the placement sees it."""

    pk: int
    who: str
    on: object
    checked_in: object
    checked_out: object
    duration: str


def shown(session: ServiceSession) -> Row:
    person = session.term.agreement.responsible.person
    initial = person.family_name.strip()[:1]
    return Row(
        pk=session.pk,
        who=f"{person.given_name} {initial}." if initial else person.given_name,
        on=session.on,
        checked_in=session.checked_in,
        checked_out=session.checked_out,
        duration=hours_text(session.minutes or 0),
    )


def _changed_since() -> Blocked:
    return Blocked(
        _("Some of these sessions changed since you opened the page. Nothing was saved."),
        _("Reload the page to see the sessions still waiting for you."),
    )


@transaction.atomic
def confirm(*, placement: Placement, session_ids: Iterable[int], name: str) -> int:
    """The contact confirms these sessions' hours, naming themselves. All or none: a
    session of another placement, or one no longer waiting, refuses the lot."""
    wanted = set(session_ids)
    sessions = list(awaiting(placement).filter(pk__in=wanted))
    if not wanted or len(sessions) != len(wanted):
        raise _changed_since()
    for session in sessions:
        hours.verify_session(
            session=session, via="placement", verifier_name=name, by=None, expected_version=None
        )
    return len(sessions)


@transaction.atomic
def flag(*, placement: Placement, session: ServiceSession, problem: str, name: str) -> None:
    """The contact says a session is wrong. Its hours stay as they are, unverified; the
    case's staff read the flag in the audit trail and put the session right."""
    if session.placement_id != placement.pk:
        raise _changed_since()
    agreement = session.term.agreement
    case = lock_agreement(agreement, None)
    if not awaiting(placement).filter(pk=session.pk).exists():
        raise _changed_since()
    changed(
        case,
        by=None,
        action="agreement.hours_flagged",
        obj=session,
        agreement=str(agreement.pk),
        placement=str(placement.pk),
        problem=problem if problem in PROBLEMS else "other",
        contact=name.strip(),
    )

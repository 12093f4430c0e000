"""How far a term has come: money paid, hours served, what completing it still needs, and
its health for the monitoring page. Reads only; every sum is done by the database in
Decimal or whole minutes, so the same rows give the same totals on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from mend.agreements.amounts import written
from mend.agreements.models import ZERO, Term


def paid(term: Term) -> Decimal:
    """What the ledger holds for a restitution term: payments less corrections."""
    total = term.payments.aggregate(total=Sum("amount"))["total"]
    return (total or ZERO).quantize(Decimal("0.01"))


def balance(term: Term) -> Decimal:
    """Agreed less paid. Negative only when an overpayment was recorded as such."""
    return ((term.amount or ZERO) - paid(term)).quantize(Decimal("0.01"))


def verified_minutes(term: Term) -> int:
    """Every verified session's minutes, including any served beyond the agreement."""
    total = term.sessions.filter(verified_at__isnull=False).aggregate(total=Sum("minutes"))["total"]
    return int(total or 0)


def counted_minutes(term: Term) -> int:
    """Verified minutes that count towards the term: never more than was agreed."""
    return min(verified_minutes(term), term.service_minutes or 0)


def minutes_left(term: Term) -> int:
    return max((term.service_minutes or 0) - verified_minutes(term), 0)


def unverified_minutes(term: Term) -> int:
    total = term.sessions.filter(verified_at__isnull=True, minutes__isnull=False).aggregate(
        total=Sum("minutes")
    )["total"]
    return int(total or 0)


def nothing_left(term: Term) -> bool:
    if term.kind == Term.Kind.RESTITUTION:
        return balance(term) <= 0
    if term.kind == Term.Kind.COMMUNITY_SERVICE:
        return minutes_left(term) == 0
    return False


def what_completion_needs(term: Term) -> list[str]:
    """Why a term cannot be marked completed yet ([] when it can)."""
    if term.kind == Term.Kind.RESTITUTION:
        owed = balance(term)
        if owed > 0:
            return [_("%(amount)s is still to be paid.") % {"amount": written(owed, term.currency)}]
    if term.kind == Term.Kind.COMMUNITY_SERVICE:
        left = minutes_left(term)
        if left:
            return [
                _("%(hours)s of service still to be verified by the placement.")
                % {"hours": hours(left)}
            ]
    if term.kind == Term.Kind.PROGRAM and not term.confirmed_on:
        return [_("Record the provider's confirmation that the program was completed.")]
    if term.kind == Term.Kind.APOLOGY_WRITTEN and (
        term.letter is None or term.letter.status != term.letter.Status.DELIVERED
    ):
        return [_("The written apology has not been delivered yet.")]
    return []


def hours(minutes: int) -> str:
    """Minutes as hours and minutes: "12 h 30 min"."""
    whole, rest = divmod(int(minutes), 60)
    if rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": whole, "minutes": rest}
    return _("%(hours)s h") % {"hours": whole}


class Health:
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def health(term: Term, today: date, soon_days: int = 7) -> str:
    if not term.is_open or term.due_on is None:
        return Health.ON_TRACK
    if term.due_on < today:
        return Health.OVERDUE
    if term.due_on <= today + timedelta(days=soon_days):
        return Health.DUE_SOON
    return Health.ON_TRACK


def open_terms() -> Q:
    return Q(status__in=[Term.Status.PENDING, Term.Status.IN_PROGRESS])

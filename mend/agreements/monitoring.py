"""What the monitoring page and the dashboard read: every agreement in force the member
may see, each with its terms' health, money paid and hours verified.

Every figure is a subquery of the agreement's row, so a page costs the same few queries
whether it lists two agreements or two hundred, however many payments and sessions they
hold. Renegotiated terms are left out: the term that replaced each one counts instead.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mend.accounts.models import User
from mend.agreements.models import ZERO, Agreement, AgreementSettings, Payment, ServiceSession, Term
from mend.agreements.progress import Health, open_terms
from mend.agreements.queries import agreements_visible_to
from mend.agreements.services import MONITOR_ROLES, SETTLED
from mend.cases.stages import ENDED
from mend.programs.models import Membership, Program

MONEY: DecimalField[Any, Any] = DecimalField(max_digits=14, decimal_places=2)
HEALTH_ORDER = (Health.OVERDUE, Health.DUE_SOON, Health.ON_TRACK)
# A program that has not chosen its reminder days has the field's default.
DEFAULT_DAYS: int = AgreementSettings._meta.get_field("reminder_days").default


def program_today(program: Program) -> date:
    """Today on the program's clock: a term is overdue from the program's midnight."""
    return timezone.localdate(timezone=ZoneInfo(program.time_zone))


def soon_days(program_id: int) -> int:
    """A term is due soon within the days its monitor is reminded before (default 7)."""
    found = AgreementSettings.objects.filter(program_id=program_id).values("reminder_days")
    row = found.first()
    return int(row["reminder_days"]) if row else DEFAULT_DAYS


def monitors_in(program_id: int) -> QuerySet[User]:
    """The staff who may monitor a term in this program, for the page's filter."""
    members = Membership.objects.active().filter(program_id=program_id, role__in=MONITOR_ROLES)
    return (
        User.objects.filter(memberships__in=members, is_active=True)
        .distinct()
        .order_by("full_name", "pk")
    )


def _count(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.order_by().values("agreement").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _total(rows: QuerySet[Any], group: str, field: str, output: Any) -> Coalesce:
    summed = rows.order_by().values(group).annotate(total=Sum(field)).values("total")
    zero = Value(ZERO, output_field=MONEY) if isinstance(output, DecimalField) else Value(0)
    return Coalesce(Subquery(summed, output_field=output), zero, output_field=output)


def _of_row(prefix: str, monitor_id: int | None) -> Q:
    """The row's terms (through `prefix` from a payment or a session), but for
    renegotiated ones; only the monitor's when one is chosen."""
    terms = Q(**{f"{prefix}agreement": OuterRef("pk")}) & ~Q(
        **{f"{prefix}status": Term.Status.RENEGOTIATED}
    )
    if monitor_id is not None:
        terms &= Q(**{f"{prefix}monitor_id": monitor_id})
    return terms


def in_force(membership: Membership) -> QuerySet[Agreement]:
    """Agreements every party agreed to, in open cases the member may see."""
    return (
        agreements_visible_to(membership)
        .filter(status=Agreement.Status.BINDING)
        .exclude(case__stage__in=ENDED)
    )


def monitoring_rows(
    membership: Membership,
    *,
    today: date,
    soon: int,
    monitor_id: int | None = None,
    health: str = "",
) -> QuerySet[Agreement]:
    """One row per agreement in force. With a monitor, only the agreements holding a term
    they monitor, and every figure counts their terms alone."""
    terms = Term.objects.filter(_of_row("", monitor_id))
    still_open = terms.filter(open_terms())
    restitution = terms.filter(kind=Term.Kind.RESTITUTION)
    service = terms.filter(kind=Term.Kind.COMMUNITY_SERVICE)
    payments = Payment.objects.filter(
        _of_row("term__", monitor_id), term__kind=Term.Kind.RESTITUTION
    )
    verified = ServiceSession.objects.filter(
        _of_row("term__", monitor_id),
        term__kind=Term.Kind.COMMUNITY_SERVICE,
        verified_at__isnull=False,
    )
    rows = in_force(membership)
    if monitor_id is not None:
        rows = rows.filter(Exists(terms))
    rows = rows.annotate(
        open_count=_count(still_open),
        done_count=_count(terms.filter(status__in=SETTLED)),
        overdue_count=_count(still_open.filter(due_on__lt=today)),
        soon_count=_count(
            still_open.filter(due_on__gte=today, due_on__lte=today + timedelta(days=soon))
        ),
        next_due=Subquery(
            still_open.filter(due_on__isnull=False).order_by("due_on").values("due_on")[:1]
        ),
        agreed_amount=_total(restitution, "agreement", "amount", MONEY),
        paid_amount=_total(payments, "term__agreement", "amount", MONEY),
        currency=Subquery(restitution.order_by("position", "pk").values("currency")[:1]),
        agreed_minutes=_total(service, "agreement", "service_minutes", IntegerField()),
        verified_minutes=_total(verified, "term__agreement", "minutes", IntegerField()),
    ).annotate(
        health=Case(
            When(overdue_count__gt=0, then=Value(Health.OVERDUE)),
            When(soon_count__gt=0, then=Value(Health.DUE_SOON)),
            default=Value(Health.ON_TRACK),
        ),
        health_rank=Case(
            When(overdue_count__gt=0, then=Value(0)),
            When(soon_count__gt=0, then=Value(1)),
            default=Value(2),
        ),
    )
    if health in HEALTH_ORDER:
        rows = rows.filter(health_rank=HEALTH_ORDER.index(health))
    return rows.select_related("case", "responsible__person").order_by(
        "health_rank", F("next_due").asc(nulls_last=True), "case__reference", "number", "pk"
    )


def my_terms(membership: Membership, today: date, soon: int) -> dict[str, int]:
    """How many open terms the member monitors are overdue and due soon, in one query
    (the monitor and status index narrows it to their terms)."""
    mine = Term.objects.filter(
        open_terms(),
        monitor_id=membership.user_id,
        agreement__in=in_force(membership).values("pk"),
    )
    return mine.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=soon))),
    )

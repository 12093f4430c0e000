"""No-contact and protective orders on the people in a case, and a coordinator's record
that an order permits a joint meeting.

An active order without that record keeps its person out of every joint meeting (the
rules' `order_notice`); recording one cancels the future joint meetings at once, through
the case_changed hook.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases import registry
from mend.cases.models import Case, Participant, ProtectiveOrder
from mend.cases.services.base import Blocked, InvalidMove, changed, lock_case
from mend.cases.stages import ENDED
from mend.core.dates import plausible_date
from mend.programs.models import Membership

if TYPE_CHECKING:
    from mend.accounts.models import User

# Who may say that an order permits a meeting (coordinators and program administrators).
CLEARS_ORDERS = "cases.clear_orders"


def _dates(starts_on: date, ends_on: date | None) -> None:
    errors: dict[str, str] = {}
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is None:
            continue
        try:
            plausible_date(day)
        except ValidationError as error:
            errors[field] = " ".join(error.messages)
    if not errors and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("An order cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _order_of(case: Case, order: ProtectiveOrder) -> ProtectiveOrder:
    """The order, reloaded under the case's lock, if it is about someone in this case."""
    fresh = (
        ProtectiveOrder.objects.select_related("participant__person")
        .filter(pk=order.pk, participant__case=case)
        .first()
    )
    if fresh is None:
        raise ValidationError({"order": _("Choose an order recorded in this case.")})
    return fresh


def _refuse_unless_coordinator(case: Case, by: User) -> None:
    membership = Membership.objects.active().filter(program_id=case.program_id, user=by).first()
    if membership is None or not membership.can(CLEARS_ORDERS):
        raise Blocked(_("Only a coordinator can record whether an order permits a meeting."))


@transaction.atomic
def record_order(
    *,
    participant: Participant,
    kind: str,
    starts_on: date,
    by: User,
    expected_version: int | None,
    ends_on: date | None = None,
    notes: str = "",
) -> ProtectiveOrder:
    """Record an order on a person. An active one cancels their future joint meetings."""
    case = lock_case(participant.case, expected_version)
    if participant.case_id != case.pk:
        raise ValidationError({"participant": _("Choose someone in this case.")})
    if case.stage in ENDED:
        raise InvalidMove(_("This case is closed."))
    if kind not in ProtectiveOrder.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of order.")})
    _dates(starts_on, ends_on)
    order = ProtectiveOrder.objects.create(
        participant=participant,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes,
        recorded_by=by,
    )
    changed(case, by=by, action="order.recorded", obj=order, kind=kind, participant=participant.pk)
    registry.case_changed(case, by, registry.ORDER_RECORDED)
    return order


@transaction.atomic
def end_order(
    *, order: ProtectiveOrder, ends_on: date, by: User, expected_version: int | None
) -> ProtectiveOrder:
    """Record the day an order stopped applying (or will stop): it blocks nothing after."""
    case = lock_case(order.participant.case, expected_version)
    order = _order_of(case, order)
    today = timezone.localdate(timezone=ZoneInfo(case.program.time_zone))
    if order.ends_on is not None and order.ends_on <= today:
        raise Blocked(_("This order has already ended."))
    _dates(order.starts_on, ends_on)
    order.ends_on = ends_on
    order.save(update_fields=["ends_on"])
    changed(
        case,
        by=by,
        action="order.ended",
        obj=order,
        changed_fields=["ends_on"],
        participant=order.participant_id,
    )
    return order


@transaction.atomic
def permit_meeting(
    *, order: ProtectiveOrder, reason: str, by: User, expected_version: int | None
) -> ProtectiveOrder:
    """A coordinator records, with a reason, that the order permits a joint meeting."""
    case = lock_case(order.participant.case, expected_version)
    order = _order_of(case, order)
    _refuse_unless_coordinator(case, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order permits a joint meeting.")})
    order.permits_meeting_reason = reason.strip()
    order.permitted_by = by
    order.permitted_at = timezone.now()
    order.save(update_fields=["permits_meeting_reason", "permitted_by", "permitted_at"])
    changed(
        case,
        by=by,
        action="order.meeting_permitted",
        obj=order,
        changed_fields=["permits_meeting_reason"],
        participant=order.participant_id,
    )
    return order


@transaction.atomic
def withdraw_meeting_permission(
    *, order: ProtectiveOrder, by: User, expected_version: int | None
) -> ProtectiveOrder:
    """Take back the record that the order permits a meeting: the order blocks again."""
    case = lock_case(order.participant.case, expected_version)
    order = _order_of(case, order)
    _refuse_unless_coordinator(case, by)
    if not order.permits_meeting:
        raise Blocked(_("No one has recorded that this order permits a meeting."))
    order.permits_meeting_reason = ""
    order.permitted_by = None
    order.permitted_at = None
    order.save(update_fields=["permits_meeting_reason", "permitted_by", "permitted_at"])
    changed(
        case,
        by=by,
        action="order.permission_withdrawn",
        obj=order,
        changed_fields=["permits_meeting_reason"],
        participant=order.participant_id,
    )
    registry.case_changed(case, by, registry.ORDER_PERMISSION_WITHDRAWN)
    return order

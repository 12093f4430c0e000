"""Community service at placements: check-in, check-out, verification and incidents.

Only hours the placement verified count (a contact at the placement, or a coordinator on
its behalf naming who confirmed them). Hours beyond the agreement are kept, shown and
never counted. Minutes are whole numbers so totals add up to the minute.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.agreements.models import Placement, ServiceIncident, ServiceSession, Term
from mend.agreements.services import _audit, _in_force, lock_agreement
from mend.cases.services.base import Blocked
from mend.core.dates import past_date

if TYPE_CHECKING:
    from mend.accounts.models import User


def _service(term: Term) -> None:
    if term.kind != Term.Kind.COMMUNITY_SERVICE:
        raise Blocked(_("Service sessions are recorded only for a community service term."))
    if not term.is_open:
        raise Blocked(_("This term is no longer open: its sessions cannot change."))


def minutes_between(start: time, end: time) -> int:
    day = date(2000, 1, 1)
    return int((datetime.combine(day, end) - datetime.combine(day, start)).total_seconds() // 60)


@transaction.atomic
def check_in(
    *,
    term: Term,
    on: date,
    at: time,
    by: User,
    expected_version: int | None,
    placement: Placement | None = None,
    closed_reason: str = "",
) -> ServiceSession:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    term.refresh_from_db()
    _service(term)
    place = placement or term.placement
    if place is None or place.program_id != case.program_id:
        raise ValidationError({"placement": _("Choose a placement from the program's list.")})
    try:
        past_date(on)
    except ValidationError as error:
        raise ValidationError({"on": " ".join(error.messages)}) from None
    if term.sessions.filter(checked_out__isnull=True).exists():
        raise Blocked(_("A session is still checked in: check it out first."))
    session = ServiceSession.objects.create(
        term=term, placement=place, on=on, checked_in=at, recorded_by=by
    )
    if term.status == Term.Status.PENDING:
        term.status = Term.Status.IN_PROGRESS
        term.save(update_fields=["status"])
    _audit(case, agreement, "agreement.checked_in", by, obj=session, reason=closed_reason)
    return session


@transaction.atomic
def check_out(
    *,
    session: ServiceSession,
    at: time,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> ServiceSession:
    agreement = session.term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    session.refresh_from_db()
    session.term.refresh_from_db()
    _service(session.term)
    if session.checked_out is not None:
        raise Blocked(_("This session is already checked out."))
    minutes = minutes_between(session.checked_in, at)
    if minutes <= 0:
        raise ValidationError({"checked_out": _("Check-out must be after check-in.")})
    session.checked_out = at
    session.minutes = minutes
    session.save(update_fields=["checked_out", "minutes"])
    _audit(case, agreement, "agreement.checked_out", by, obj=session, reason=closed_reason)
    return session


@transaction.atomic
def verify_session(
    *,
    session: ServiceSession,
    via: str,
    verifier_name: str,
    by: User | None,
    expected_version: int | None,
    closed_reason: str = "",
) -> ServiceSession:
    """The placement confirms the hours: its contact (by = None, through the placement's
    link) or a coordinator on its behalf, naming who at the placement confirmed them."""
    agreement = session.term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    session.refresh_from_db()
    session.term.refresh_from_db()
    _service(session.term)
    if session.minutes is None:
        raise Blocked(_("Check the session out before its hours are verified."))
    if session.verified_at is not None:
        raise Blocked(_("These hours are already verified."))
    if via not in ServiceSession.VerifiedVia.values:
        raise ValidationError({"via": _("Say who verified the hours.")})
    if not verifier_name.strip():
        raise ValidationError(
            {"verifier_name": _("Name who at the placement confirmed the hours.")}
        )
    session.verified_at = timezone.now()
    session.verified_via = via
    session.verified_by = by
    session.verifier_name = verifier_name.strip()
    session.save(update_fields=["verified_at", "verified_via", "verified_by", "verifier_name"])
    _audit(case, agreement, "agreement.hours_verified", by, obj=session, reason=closed_reason)
    return session


@transaction.atomic
def record_incident(
    *,
    term: Term,
    severity: str,
    category: str,
    on: date,
    text: str,
    by: User,
    expected_version: int | None,
    session: ServiceSession | None = None,
    closed_reason: str = "",
) -> ServiceIncident:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    errors: dict[str, str] = {}
    if term.kind != Term.Kind.COMMUNITY_SERVICE:
        raise Blocked(_("Warnings and violations are recorded for community service."))
    if severity not in ServiceIncident.Severity.values:
        errors["severity"] = _("Say whether it is a warning or a violation.")
    if category not in ServiceIncident.Category.values:
        errors["category"] = _("Choose a category.")
    if session is not None and session.term_id != term.pk:
        errors["session"] = _("Choose a session of this term.")
    try:
        past_date(on)
    except ValidationError as error:
        errors["on"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    incident = ServiceIncident.objects.create(
        term=term,
        session=session,
        severity=severity,
        category=category,
        on=on,
        text=text.strip(),
        recorded_by=by,
    )
    _audit(case, agreement, "agreement.incident_recorded", by, obj=incident, reason=closed_reason)
    return incident


@transaction.atomic
def confirm_participation(
    *,
    term: Term,
    confirmed_by: str,
    confirmed_on: date,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> Term:
    """The provider of a program confirms the person completed it."""
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    term.refresh_from_db()
    if term.kind != Term.Kind.PROGRAM:
        raise Blocked(_("A provider's confirmation is recorded for a program term."))
    errors: dict[str, str] = {}
    if not confirmed_by.strip():
        errors["confirmed_by"] = _("Name who at the provider confirmed it.")
    try:
        past_date(confirmed_on)
    except ValidationError as error:
        errors["confirmed_on"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    term.confirmed_by = confirmed_by.strip()
    term.confirmed_on = confirmed_on
    term.save(update_fields=["confirmed_by", "confirmed_on"])
    _audit(case, agreement, "agreement.participation_confirmed", by, obj=term, reason=closed_reason)
    return term

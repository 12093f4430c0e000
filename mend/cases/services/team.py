"""Who works on a case, which process it will use, notes, and who looked at it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.cases.models import Case, CaseAssignment, Note
from mend.cases.services.base import (
    InvalidMove,
    changed,
    closed_details,
    lock_case,
    require_reason_if_closed,
)
from mend.cases.services.moves import enforce_conditions
from mend.cases.stages import ENDED
from mend.core import audit
from mend.programs.models import Membership, OffenceCategory

if TYPE_CHECKING:
    from mend.accounts.models import User


@transaction.atomic
def assign_team(
    *,
    case: Case,
    lead: User | None,
    co_facilitators: list[User],
    volunteers: list[User],
    by: User,
    expected_version: int | None,
) -> Case:
    lock_case(case, expected_version)
    members = {lead.pk} if lead else set()
    members |= {u.pk for u in co_facilitators} | {u.pk for u in volunteers}
    current = Membership.objects.active().filter(program=case.program, user_id__in=members)
    if members - set(current.values_list("user_id", flat=True)):
        raise ValidationError(_("Everyone on the team must hold a role in this program."))
    if (
        lead is not None
        and case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY
        and not current.filter(user=lead, is_specialist=True).exists()
    ):
        raise ValidationError(
            {
                "lead": _(
                    "Cases of this offence category are led by a specialist only, and "
                    "%(name)s is not marked as one."
                )
                % {"name": lead.display_name}
            }
        )
    case.lead_facilitator = lead
    CaseAssignment.objects.filter(case=case).delete()
    CaseAssignment.objects.bulk_create(
        [
            CaseAssignment(case=case, user=u, role=CaseAssignment.Role.CO_FACILITATOR)
            for u in co_facilitators
            if not lead or u.pk != lead.pk
        ]
        + [
            CaseAssignment(case=case, user=u, role=CaseAssignment.Role.VOLUNTEER)
            for u in volunteers
            if u not in co_facilitators and (not lead or u.pk != lead.pk)
        ]
    )
    # A volunteer who leaves the team is no longer asked to contact anyone here.
    case.participants.exclude(contact_by__in=[u.pk for u in volunteers]).exclude(
        contact_by=None
    ).update(contact_by=None)
    changed(
        case,
        by=by,
        action="case.team_assigned",
        fields=["lead_facilitator"],
        changed_fields=["assignments"],
    )
    enforce_conditions(case, by=by)
    return case


@transaction.atomic
def choose_process(*, case: Case, process: str, by: User, expected_version: int | None) -> Case:
    lock_case(case, expected_version)
    if process not in case.program.offered_processes:
        raise ValidationError({"process": _("This program does not offer that process.")})
    if case.stage in ENDED:
        raise InvalidMove(_("This case is closed."))
    case.planned_process = process
    changed(case, by=by, action="case.process_chosen", fields=["planned_process"], process=process)
    enforce_conditions(case, by=by)
    return case


@transaction.atomic
def add_note(
    *,
    case: Case,
    body: str,
    by: User,
    expected_version: int | None,
    restricted: bool = False,
    closed_reason: str = "",
) -> Note:
    lock_case(case, expected_version)
    if not body.strip():
        raise ValidationError({"body": _("Write the note.")})
    require_reason_if_closed(case, closed_reason)
    note = Note(case=case, kind=Note.Kind.NOTE, author=by, body=body, restricted=restricted)
    note.full_clean()
    note.save()
    changed(
        case,
        by=by,
        action="case.note_added",
        obj=note,
        restricted=restricted,
        **closed_details(case, closed_reason),
    )
    return note


@transaction.atomic
def record_case_view(*, case: Case, by: User, **details: Any) -> None:
    """Every look at a case is recorded; coordinators can see who looked."""
    audit.record(actor=by, action="case.viewed", obj=case, program=case.program, **details)

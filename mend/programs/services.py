"""Every write to programs, agencies and memberships. Each verb audits in its transaction."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.core import audit
from mend.programs import defaults
from mend.programs.models import (
    Agency,
    EligibilityCriterion,
    Invitation,
    Membership,
    OffenceCategory,
    Program,
    RetentionRule,
)
from mend.programs.roles import Role

if TYPE_CHECKING:
    from mend.accounts.models import User


@transaction.atomic
def create_program(
    *,
    name: str,
    slug: str,
    by: User | None,
    time_zone: str = "UTC",
    reference_prefix: str = "",
    require_mfa: bool = True,
) -> Program:
    """A new program with the default settings from `defaults`."""
    program = Program(
        name=name,
        slug=slug,
        time_zone=time_zone,
        reference_prefix=(reference_prefix or slug).upper()[:12],
        require_mfa=require_mfa,
        languages=list(defaults.LANGUAGES),
        process_types=list(defaults.PROCESS_TYPES),
        consent_purposes=list(defaults.CONSENT_PURPOSES),
    )
    program.full_clean()
    program.save()
    EligibilityCriterion.objects.bulk_create(
        EligibilityCriterion(program=program, code=code, label=label, position=i)
        for i, (code, label) in enumerate(defaults.ELIGIBILITY_CRITERIA)
    )
    OffenceCategory.objects.bulk_create(
        OffenceCategory(program=program, code=code, label=label, handling=handling, position=i)
        for i, (code, label, handling) in enumerate(defaults.OFFENCE_CATEGORIES)
    )
    RetentionRule.objects.bulk_create(
        RetentionRule(program=program, category=category, keep_for_months=months)
        for category, months in defaults.RETENTION_MONTHS.items()
    )
    audit.record(actor=by, action="program.created", obj=program, program=program)
    return program


PROGRAM_SETTING_FIELDS = (
    "name",
    "time_zone",
    "languages",
    "require_mfa",
    "process_types",
    "consent_purposes",
    "assessment_validity_days",
    "rj_offer_deadline_working_days",
)


@transaction.atomic
def update_program_settings(*, program: Program, by: User, **changes: Any) -> Program:
    unknown = set(changes) - set(PROGRAM_SETTING_FIELDS)
    if unknown:
        raise ValueError(f"Not a program setting: {', '.join(sorted(unknown))}")
    changed = [field for field, value in changes.items() if getattr(program, field) != value]
    for field in changed:
        setattr(program, field, changes[field])
    if changed:
        program.full_clean()
        program.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=by,
            action="program.settings_changed",
            obj=program,
            program=program,
            changed_fields=changed,
        )
    return program


@transaction.atomic
def add_agency(*, program: Program, name: str, kind: str, by: User | None) -> Agency:
    agency = Agency(program=program, name=name, kind=kind)
    agency.full_clean()
    agency.save()
    audit.record(actor=by, action="agency.created", obj=agency, program=program)
    return agency


def _validate_membership(membership: Membership) -> None:
    if membership.role == Role.REFERRER and membership.agency_id is None:
        raise ValidationError({"agency": _("A referrer must belong to a referring agency.")})
    if membership.agency is not None and membership.agency.program_id != membership.program_id:
        raise ValidationError({"agency": _("Choose an agency of this program.")})
    if membership.expires_on and membership.expires_on < membership.starts_on:
        raise ValidationError({"expires_on": _("The expiry date must be after the start date.")})


@transaction.atomic
def grant_membership(
    *,
    user: User,
    program: Program,
    role: str,
    by: User | None,
    agency: Agency | None = None,
    expires_on: date | None = None,
    is_specialist: bool = False,
) -> Membership:
    """Give someone a role in a program, replacing any current role they hold there."""
    current = (
        Membership.objects.select_for_update()
        .filter(user=user, program=program, ended_at__isnull=True)
        .first()
    )
    if current is not None:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
    membership = Membership(
        user=user,
        program=program,
        role=role,
        agency=agency,
        expires_on=expires_on,
        is_specialist=is_specialist,
    )
    _validate_membership(membership)
    membership.save()
    audit.record(
        actor=by,
        action="membership.role_changed" if current else "membership.granted",
        obj=membership,
        program=program,
        changed_fields=["role", "agency", "expires_on"],
        user=user.get_username(),
        role=role,
        previous_role=current.role if current else "",
    )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by: User) -> Membership:
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        audit.record(
            actor=by,
            action="membership.ended",
            obj=membership,
            program=membership.program,
            changed_fields=["ended_at"],
            user=membership.user.get_username(),
            role=membership.role,
        )
    return membership


INVITATION_VALID_FOR = timedelta(days=14)


@transaction.atomic
def create_invitation(
    *,
    program: Program,
    email: str,
    full_name: str,
    role: str,
    by: User,
    agency: Agency | None = None,
    expires_on: date | None = None,
) -> tuple[Invitation, str]:
    """An invitation to a role, and its one-time token (never stored, only its hash).

    Nobody is looked up by e-mail or username: what the administrator sees is the same
    whether or not the person already has an account.
    """
    invitation = Invitation(
        program=program,
        email=email.strip(),
        full_name=full_name.strip(),
        role=role,
        agency=agency,
        expires_on=expires_on,
        valid_until=timezone.now() + INVITATION_VALID_FOR,
        created_by=by,
    )
    if role == Role.REFERRER and agency is None:
        raise ValidationError({"agency": _("A referrer must belong to a referring agency.")})
    if agency is not None and agency.program_id != program.pk:
        raise ValidationError({"agency": _("Choose an agency of this program.")})
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date must be after the start date.")})
    token = secrets.token_urlsafe(32)
    invitation.token_hash = Invitation.hash_token(token)
    invitation.full_clean()
    invitation.save()
    audit.record(actor=by, action="invitation.created", obj=invitation, program=program, role=role)
    return invitation, token


def invitation_problem(invitation: Invitation) -> str:
    """Why the invitation can no longer be used ("" while it can)."""
    if invitation.accepted_at is not None:
        return "used"
    if invitation.valid_until <= timezone.now():
        return "expired"
    if not invitation.program.is_active:
        return "expired"
    return ""


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """The invited person takes the role. The link works once."""
    locked = Invitation.objects.select_for_update().select_related("program").get(pk=invitation.pk)
    problem = invitation_problem(locked)
    if problem == "used":
        raise ValidationError(_("This invitation has already been used."), code="used")
    if problem:
        raise ValidationError(_("This invitation has expired."), code="expired")
    membership = grant_membership(
        user=user,
        program=locked.program,
        role=locked.role,
        agency=locked.agency,
        expires_on=locked.expires_on,
        by=user,
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="invitation.accepted",
        obj=locked,
        program=locked.program,
        changed_fields=["accepted_at"],
        role=locked.role,
    )
    invitation.accepted_at, invitation.accepted_by = locked.accepted_at, user
    return membership

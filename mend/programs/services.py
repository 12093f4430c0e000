"""Every write to programs, agencies and memberships. Each verb audits in its transaction."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
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
    "reminder_days",
    "contact_phone",
    "contact_email",
)


def stale_settings() -> ValidationError:
    return ValidationError(
        _(
            "Someone changed these settings since you opened this page. Nothing was saved: "
            "open the page again to see the settings as they are now."
        ),
        code="stale",
    )


def _lock_program(program: Program, expected_version: int | None) -> Program:
    """The program's row, locked, or a refusal when the form was opened on another version.

    `expected_version` is None only for work with no form behind it (demo data, commands).
    """
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if expected_version is not None and locked.version != expected_version:
        raise stale_settings()
    return locked


def _next_version(program: Program) -> None:
    program.version += 1
    program.save(update_fields=["version", "updated_at"])


@transaction.atomic
def update_program_settings(
    *, program: Program, by: User | None, expected_version: int | None = None, **changes: Any
) -> Program:
    """Change program settings; returns the program as saved (the argument is left alone)."""
    unknown = set(changes) - set(PROGRAM_SETTING_FIELDS)
    if unknown:
        raise ValueError(f"Not a program setting: {', '.join(sorted(unknown))}")
    locked = _lock_program(program, expected_version)
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, changes[field])
    if changed:
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
        audit.record(
            actor=by,
            action="program.settings_changed",
            obj=locked,
            program=locked,
            changed_fields=changed,
        )
    return locked


def _new_code(label: str, taken: set[str]) -> str:
    """A code made from the English label, unique in the program. It never changes after."""
    base = slugify(label).replace("-", "_")[:34].strip("_") or "item"
    code, number = base, 2
    while code in taken:
        code, number = f"{base}_{number}", number + 1
    return code


# Offence categories and eligibility criteria: lists a program words and orders itself.
Listed = OffenceCategory | EligibilityCriterion


def _add_listed(program: Program, record: Listed, kind: str, by: User | None) -> Any:
    """Give a new category or criterion its code and place, save it and audit it."""
    existing = type(record).objects.filter(program=program)
    record.program = program
    record.code = _new_code(record.label, set(existing.values_list("code", flat=True)))
    record.position = max((r.position for r in existing), default=-1) + 1
    record.full_clean()
    record.save()
    _next_version(program)
    audit.record(actor=by, action=f"{kind}.created", obj=record, program=program)
    return record


def _change_listed(
    record: Listed,
    kind: str,
    allowed: set[str],
    changes: dict[str, Any],
    by: User | None,
    expected_version: int | None,
) -> Any:
    if set(changes) - allowed:
        raise ValueError(f"Not a {kind} setting: {', '.join(sorted(set(changes) - allowed))}")
    program = _lock_program(record.program, expected_version)
    record = type(record).objects.select_for_update().get(pk=record.pk, program=program)
    was_active = record.is_active
    changed = [field for field, value in changes.items() if getattr(record, field) != value]
    if not changed:
        return record
    for field in changed:
        setattr(record, field, changes[field])
    if kind == "offence_category" and was_active and not record.is_active:
        others = program.offence_categories.filter(is_active=True).exclude(pk=record.pk)
        if not others.exists():
            raise ValidationError(
                {"is_active": _("A program needs at least one offence category in use.")}
            )
    record.full_clean()
    record.save(update_fields=changed)
    _next_version(program)
    audit.record(
        actor=by,
        action=f"{kind}.{_active_change(was_active, record.is_active)}",
        obj=record,
        program=program,
        changed_fields=changed,
    )
    return record


def _active_change(was: bool, now: bool) -> str:
    """The verb of an audited change to something a program can stop using."""
    if was and not now:
        return "deactivated"
    if now and not was:
        return "reactivated"
    return "changed"


@transaction.atomic
def add_offence_category(
    *,
    program: Program,
    by: User | None,
    expected_version: int | None,
    label: str,
    handling: str,
    label_es: str = "",
) -> OffenceCategory:
    program = _lock_program(program, expected_version)
    category = OffenceCategory(label=label, label_es=label_es, handling=handling)
    return _add_listed(program, category, "offence_category", by)  # type: ignore[no-any-return]


@transaction.atomic
def change_offence_category(
    *,
    category: OffenceCategory,
    by: User | None,
    expected_version: int | None,
    **changes: Any,
) -> OffenceCategory:
    """Change a category's labels, handling or whether new referrals may use it."""
    allowed = {"label", "label_es", "handling", "is_active"}
    return _change_listed(  # type: ignore[no-any-return]
        category, "offence_category", allowed, changes, by, expected_version
    )


@transaction.atomic
def add_eligibility_criterion(
    *,
    program: Program,
    by: User | None,
    expected_version: int | None,
    label: str,
    label_es: str = "",
) -> EligibilityCriterion:
    program = _lock_program(program, expected_version)
    criterion = EligibilityCriterion(label=label, label_es=label_es)
    return _add_listed(program, criterion, "eligibility_criterion", by)  # type: ignore[no-any-return]


@transaction.atomic
def change_eligibility_criterion(
    *,
    criterion: EligibilityCriterion,
    by: User | None,
    expected_version: int | None,
    **changes: Any,
) -> EligibilityCriterion:
    """Change a criterion's wording, or whether screening asks it."""
    allowed = {"label", "label_es", "is_active"}
    return _change_listed(  # type: ignore[no-any-return]
        criterion, "eligibility_criterion", allowed, changes, by, expected_version
    )


@transaction.atomic
def update_retention(
    *,
    program: Program,
    by: User | None,
    expected_version: int | None,
    months: dict[str, int],
) -> list[RetentionRule]:
    """Set how long each kind of record is kept, in months."""
    unknown = set(months) - set(RetentionRule.Category.values)
    if unknown:
        raise ValueError(f"Not a kind of record: {', '.join(sorted(unknown))}")
    program = _lock_program(program, expected_version)
    rules = {r.category: r for r in program.retention_rules.select_for_update()}
    changed = []
    for category, value in months.items():
        rule = rules.get(category) or RetentionRule(program=program, category=category)
        if rule.pk is not None and rule.keep_for_months == value:
            continue
        rule.keep_for_months = value
        try:
            rule.full_clean()
        except ValidationError as error:
            raise ValidationError({category: error.messages}) from None
        rule.save()
        changed.append(category)
    if changed:
        _next_version(program)
        audit.record(
            actor=by,
            action="retention.changed",
            obj=program,
            program=program,
            changed_fields=changed,
        )
    return list(program.retention_rules.all())


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

"""Every write to a program's community service placements and their verification links.

Each is one transaction: the program's row lock (so two placements of one name cannot be
added at once), the placement's, the version check and the audit row. A placement is
retired, never deleted: the sessions served there keep it.

The verification link is the placement's own credential, like a calendar feed's: long and
random, shown once, only its SHA-256 kept. Making a new one revokes the old.
"""

from __future__ import annotations

import secrets
from datetime import time
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.agreements.models import Placement
from mend.core import audit
from mend.processes.feed_services import hash_token
from mend.processes.models import Availability
from mend.programs.models import Program

if TYPE_CHECKING:
    from mend.accounts.models import User

STALE = "stale"
TOKEN_BYTES = 32
# The fields a coordinator keeps; the schedule is checked apart.
FIELDS = ("organisation", "name", "address", "contact_name", "contact_email", "contact_phone")


def _stale() -> ValidationError:
    return ValidationError(
        _("Someone changed this placement since you opened the form. Nothing was saved."),
        code=STALE,
    )


def clean_schedule(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The weekly schedule, sorted, as stored: [{"weekday": 5, "from": "09:00", "until":
    "13:00"}]. Each time must end after it starts; two times of one day must not overlap."""
    cleaned = []
    for row in rows:
        weekday, start, end = row.get("weekday"), row.get("from"), row.get("until")
        if weekday not in Availability.Weekday.values:
            raise ValidationError({"schedule": _("Choose a day for each time.")})
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValidationError({"schedule": _("Give each time a start and an end.")})
        if end <= start:
            raise ValidationError({"schedule": _("Each time must end after it starts.")})
        cleaned.append((int(weekday), start, end))
    cleaned.sort()
    for (day, _start, end), (next_day, next_start, _end) in pairwise(cleaned):
        if day == next_day and next_start < end:
            raise ValidationError(
                {
                    "schedule": _("Two times on %(day)s overlap: make them one, or separate them.")
                    % {"day": Availability.Weekday(day).label}
                }
            )
    return [
        {"weekday": day, "from": f"{start:%H:%M}", "until": f"{end:%H:%M}"}
        for day, start, end in cleaned
    ]


def _check(program: Program, values: dict[str, str], exclude: int | None) -> dict[str, str]:
    values = {field: str(values.get(field, "")).strip() for field in FIELDS}
    errors: dict[str, str] = {}
    if not values["organisation"]:
        errors["organisation"] = _("Name the partner organisation.")
    if not values["name"]:
        errors["name"] = _("Name the worksite.")
    elif (
        Placement.objects.filter(
            program=program,
            is_active=True,
            organisation__iexact=values["organisation"],
            name__iexact=values["name"],
        )
        .exclude(pk=exclude or 0)
        .exists()
    ):
        errors["name"] = _("The program already has a placement in use with this name.")
    if not values["contact_name"]:
        errors["contact_name"] = _("Name the contact at the placement who confirms hours.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def add_placement(
    *,
    program: Program,
    details: dict[str, str],
    schedule: list[dict[str, Any]],
    by: User | None,
    expected_version: int | None,
) -> Placement:
    """Add a placement. `expected_version` is the program's version the form was opened on."""
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _("The program's settings changed since you opened the form. Nothing was saved."),
            code=STALE,
        )
    values = _check(locked, details, None)
    placement = Placement.objects.create(
        program=locked, schedule=clean_schedule(schedule), **values
    )
    audit.record(
        actor=by, action="placement.created", obj=placement, program=locked, name=str(placement)
    )
    return placement


def _lock(placement: Placement, expected_version: int | None) -> Placement:
    # The program first, as add_placement takes it: one order, and names checked under it.
    Program.objects.select_for_update().filter(pk=placement.program_id).first()
    locked = Placement.objects.select_for_update().select_related("program").get(pk=placement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale()
    return locked


@transaction.atomic
def change_placement(
    *,
    placement: Placement,
    details: dict[str, str],
    schedule: list[dict[str, Any]],
    by: User | None,
    expected_version: int | None,
) -> Placement:
    locked = _lock(placement, expected_version)
    changes: dict[str, Any] = _check(locked.program, details, locked.pk)
    changes["schedule"] = clean_schedule(schedule)
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, changes[field])
    locked.version += 1
    locked.save(update_fields=[*changed, "version"])
    audit.record(
        actor=by,
        action="placement.changed",
        obj=locked,
        program=locked.program,
        changed_fields=changed,
        name=str(locked),
    )
    return locked


@transaction.atomic
def retire_placement(
    *, placement: Placement, by: User | None, expected_version: int | None
) -> Placement:
    """Stop offering a placement for new terms. Its link stops working; its sessions stay."""
    locked = _lock(placement, expected_version)
    if not locked.is_active:
        raise ValidationError(_("This placement is already retired."))
    locked.is_active = False
    locked.verify_token_hash = ""
    locked.version += 1
    locked.save(update_fields=["is_active", "verify_token_hash", "version"])
    audit.record(
        actor=by, action="placement.retired", obj=locked, program=locked.program, name=str(locked)
    )
    return locked


@transaction.atomic
def make_verify_link(
    *, placement: Placement, by: User | None, expected_version: int | None
) -> tuple[Placement, str]:
    """A new private link for the placement to confirm hours; any earlier one stops working.
    Returns the placement and the token, which is never stored."""
    locked = _lock(placement, expected_version)
    if not locked.is_active:
        raise ValidationError(_("This placement is retired: it has no verification link."))
    replaced = bool(locked.verify_token_hash)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    locked.verify_token_hash = hash_token(token)
    locked.version += 1
    locked.save(update_fields=["verify_token_hash", "version"])
    audit.record(
        actor=by,
        action="placement.link_replaced" if replaced else "placement.link_created",
        obj=locked,
        program=locked.program,
        name=str(locked),
    )
    return locked, token


@transaction.atomic
def revoke_verify_link(
    *, placement: Placement, by: User | None, expected_version: int | None
) -> Placement:
    locked = _lock(placement, expected_version)
    if not locked.verify_token_hash:
        raise ValidationError(_("This placement has no working verification link."))
    locked.verify_token_hash = ""
    locked.version += 1
    locked.save(update_fields=["verify_token_hash", "version"])
    audit.record(
        actor=by,
        action="placement.link_revoked",
        obj=locked,
        program=locked.program,
        name=str(locked),
    )
    return locked

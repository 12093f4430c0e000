"""Every write to a program's rooms and to staff's available times.

Each is one transaction: the row lock, the version check where there is a form behind
it, the change and its audit row.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.accounts.models import User
from mend.core import audit
from mend.processes.models import Availability, Venue
from mend.programs.models import Program

STALE = "stale"


def _stale_venue() -> ValidationError:
    return ValidationError(
        _("Someone changed this room since you opened the form. Nothing was saved."), code=STALE
    )


def _check_venue(program: Program, name: str, capacity: int, exclude: int | None) -> str:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the room a name.")
    elif (
        Venue.objects.filter(program=program, is_active=True, name__iexact=name)
        .exclude(pk=exclude or 0)
        .exists()
    ):
        errors["name"] = _("The program already has a room in use with this name.")
    if not 1 <= capacity <= 1000:
        errors["capacity"] = _("Enter how many people it holds, between 1 and 1000.")
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def add_venue(
    *,
    program: Program,
    name: str,
    capacity: int,
    access_notes: str = "",
    by: User | None,
    expected_version: int | None,
) -> Venue:
    """Add a room. The program's row lock makes two rooms of one name impossible at once.

    `expected_version` is the program's configuration version the form was opened on.
    """
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _("The program's settings changed since you opened the form. Nothing was saved."),
            code=STALE,
        )
    name = _check_venue(locked, name, capacity, None)
    venue = Venue.objects.create(
        program=locked, name=name, capacity=capacity, access_notes=access_notes.strip()
    )
    audit.record(actor=by, action="venue.created", obj=venue, program=locked, name=name)
    return venue


def _lock_venue(venue: Venue, expected_version: int | None) -> Venue:
    # The program first, as add_venue takes it: one order, and names checked under it.
    Program.objects.select_for_update().filter(pk=venue.program_id).first()
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale_venue()
    return locked


@transaction.atomic
def change_venue(
    *,
    venue: Venue,
    name: str,
    capacity: int,
    access_notes: str = "",
    by: User | None,
    expected_version: int | None,
) -> Venue:
    """Rename a room, or change how many it holds or how to get in."""
    locked = _lock_venue(venue, expected_version)
    name = _check_venue(locked.program, name, capacity, locked.pk)
    changes = {"name": name, "capacity": capacity, "access_notes": access_notes.strip()}
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, changes[field])
    locked.version += 1
    locked.save(update_fields=[*changed, "version"])
    audit.record(
        actor=by,
        action="venue.changed",
        obj=locked,
        program=locked.program,
        changed_fields=changed,
        name=locked.name,
    )
    return locked


@transaction.atomic
def retire_venue(*, venue: Venue, by: User | None, expected_version: int | None) -> Venue:
    """Stop offering a room. Meetings already planned there keep it."""
    locked = _lock_venue(venue, expected_version)
    if not locked.is_active:
        raise ValidationError(_("This room is already retired."))
    locked.is_active = False
    locked.version += 1
    locked.save(update_fields=["is_active", "version"])
    audit.record(
        actor=by, action="venue.retired", obj=locked, program=locked.program, name=locked.name
    )
    return locked


@transaction.atomic
def add_availability(
    *,
    user: User,
    program: Program,
    weekday: int,
    start_time: time,
    end_time: time,
    by: User,
    expected_version: int | None,
) -> Availability:
    """Say a weekly time one is available. Times overlapping one already given are refused.

    `expected_version` is how many times the person had recorded when the form was opened:
    slots are only added or removed, so their count is the list's version.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    own = Availability.objects.filter(user=user, program=program)
    if expected_version is not None and own.count() != expected_version:
        raise ValidationError(
            _("Your available times changed since you opened the form. Nothing was saved."),
            code=STALE,
        )
    if weekday not in Availability.Weekday.values:
        raise ValidationError({"weekday": _("Choose a day.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The time must end after it starts.")})
    if own.filter(weekday=weekday, start_time__lt=end_time, end_time__gt=start_time).exists():
        raise ValidationError(
            {"start_time": _("This overlaps a time you have already given for that day.")}
        )
    slot = Availability.objects.create(
        user=user, program=program, weekday=weekday, start_time=start_time, end_time=end_time
    )
    audit.record(
        actor=by,
        action="availability.added",
        obj=slot,
        program=program,
        weekday=weekday,
        start=f"{start_time:%H:%M}",
        end=f"{end_time:%H:%M}",
    )
    return slot


@transaction.atomic
def remove_availability(*, slot: Availability, by: User, expected_version: int | None) -> None:
    """Take back a weekly time. Someone else's, or one already removed, is refused."""
    User.objects.select_for_update().filter(pk=slot.user_id).first()
    own = Availability.objects.filter(user_id=slot.user_id, program_id=slot.program_id)
    if expected_version is not None and own.count() != expected_version:
        raise ValidationError(
            _("Your available times changed since you opened the form. Nothing was saved."),
            code=STALE,
        )
    locked = own.select_for_update().filter(pk=slot.pk, user=by).first()
    if locked is None:
        raise ValidationError(_("This time is no longer in your list."))
    audit.record(
        actor=by,
        action="availability.removed",
        obj=locked,
        program=locked.program,
        weekday=locked.weekday,
        start=f"{locked.start_time:%H:%M}",
        end=f"{locked.end_time:%H:%M}",
    )
    locked.delete()

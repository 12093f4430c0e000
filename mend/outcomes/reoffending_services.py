"""The writes of re-offending follow-up: a check's result, and the program's windows.

Each audits itself in its own transaction, locks the row it changes and refuses a form
opened on an older version.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.core import audit
from mend.outcomes.models import ImportedIncident, OutcomeSettings, ReoffendingCheck
from mend.outcomes.periods import program_today
from mend.programs.models import OffenceCategory, Program

if TYPE_CHECKING:
    from mend.accounts.models import User

STALE = "stale"
MOST_MONTHS = 120
Result = ReoffendingCheck.Result


def _stale() -> ValidationError:
    return ValidationError(
        _("Someone changed this since you opened the form. Nothing was saved."), code=STALE
    )


def lock_check(check: ReoffendingCheck, expected_version: int | None) -> ReoffendingCheck:
    locked = ReoffendingCheck.objects.select_for_update().get(pk=check.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale()
    return locked


def mark_new_offence(
    check: ReoffendingCheck,
    *,
    offence_date: date,
    category: OffenceCategory | None,
    source_reference: str,
    by: User | None,
    incident: ImportedIncident | None = None,
) -> None:
    """Write a new offence on a locked check (the caller audits)."""
    check.result = Result.NEW_OFFENCE
    check.offence_date = offence_date
    check.offence_category = category
    check.source_reference = source_reference
    check.incident = incident
    check.recorded_by = by
    check.recorded_at = timezone.now()
    check.version += 1
    check.save()


def open_checks_containing(check: ReoffendingCheck, day: date) -> list[ReoffendingCheck]:
    """The same party's other checks with no result whose window holds the day, locked."""
    others = (
        ReoffendingCheck.objects.select_for_update()
        .filter(participant_id=check.participant_id, result="")
        .exclude(pk=check.pk)
        .order_by("months")
    )
    return [other for other in others if other.window_contains(day)]


@transaction.atomic
def record_result(
    *,
    check: ReoffendingCheck,
    result: str,
    by: User,
    expected_version: int | None,
    offence_date: date | None = None,
    category: OffenceCategory | None = None,
    source_reference: str = "",
) -> ReoffendingCheck:
    """Record what the check found. A new offence is written as well on the party's other
    open checks whose window holds its date (an offence within 6 months is within 12)."""
    check = lock_check(check, expected_version)
    today = program_today(check.program)
    errors: dict[str, str] = {}
    if result not in Result.values:
        raise ValidationError({"result": _("Choose what the check found.")})
    source_reference = source_reference.strip()
    if result == Result.NEW_OFFENCE:
        if offence_date is None:
            errors["offence_date"] = _("Give the date of the new offence.")
        elif offence_date > today:
            errors["offence_date"] = _("The offence date cannot be in the future.")
        elif not check.window_contains(offence_date):
            errors["offence_date"] = _(
                "Give a date after the case was completed (%(completed)s) and no later than "
                "%(due)s, the end of this check's window."
            ) % {"completed": check.completed_on, "due": check.due_on}
        if category is not None and category.program_id != check.program_id:
            errors["category"] = _("Choose an offence category from the list.")
        if not source_reference:
            errors["source_reference"] = _(
                "Give the reference of the record the offence was found in."
            )
        elif len(source_reference) > 100:
            errors["source_reference"] = _("Keep the reference to 100 characters.")
    elif check.due_on > today:
        errors["result"] = _(
            "This check's window runs until %(due)s: until then only a new offence can be recorded."
        ) % {"due": check.due_on}
    if errors:
        raise ValidationError(errors)
    had = check.result
    also: list[ReoffendingCheck] = []
    if result == Result.NEW_OFFENCE:
        assert offence_date is not None
        mark_new_offence(
            check,
            offence_date=offence_date,
            category=category,
            source_reference=source_reference,
            by=by,
        )
        also = open_checks_containing(check, offence_date)
        for other in also:
            mark_new_offence(
                other,
                offence_date=offence_date,
                category=category,
                source_reference=source_reference,
                by=by,
            )
    else:
        check.result = result
        check.offence_date = None
        check.offence_category = None
        check.source_reference = ""
        check.incident = None
        check.recorded_by = by
        check.recorded_at = timezone.now()
        check.version += 1
        check.save()
    audit.record(
        actor=by,
        action="reoffending.result_recorded" if not had else "reoffending.result_corrected",
        obj=check,
        subject=check.participant.case,
        program=check.program,
        changed_fields=["result", "offence_date", "offence_category", "source_reference"],
        result=result,
        months=check.months,
        also=",".join(str(other.months) for other in also),
    )
    return check


def check_months(values: Any) -> list[int]:
    """Whole months from 1 to 120, each once, in order; a field message otherwise."""
    message = _("Give whole numbers of months from 1 to %(most)s, each once.") % {
        "most": MOST_MONTHS
    }
    if isinstance(values, str):
        values = [part for part in values.replace(";", ",").split(",") if part.strip()]
    months: list[int] = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MOST_MONTHS:
            raise ValidationError({"follow_up_months": message})
        months.append(int(text))
    if not months or len(set(months)) != len(months):
        raise ValidationError({"follow_up_months": message})
    return sorted(months)


@transaction.atomic
def update_follow_up_months(
    *, program: Program, months: Any, by: User | None, expected_version: int | None
) -> OutcomeSettings:
    """Change the windows. Checks made already stay; a window added is made for every
    completed case (create_missing_checks), a window removed is no longer made."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    found = OutcomeSettings.objects.select_for_update().filter(program=program).first()
    current = found or OutcomeSettings(program=program)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Someone changed these settings since you opened the form. Nothing was saved."),
            code=STALE,
        )
    wanted = check_months(months)
    if found is not None and list(current.follow_up_months) == wanted:
        return current
    current.follow_up_months = wanted
    if found is not None:
        current.version += 1
    current.save()
    audit.record(
        actor=by,
        action="reoffending.windows_changed",
        obj=current,
        program=program,
        changed_fields=["follow_up_months"],
        months=",".join(str(month) for month in wanted),
    )
    return current

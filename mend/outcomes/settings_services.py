"""The one write to a program's reporting settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mend.core import audit
from mend.outcomes.models import OutcomeSettings
from mend.programs.models import Program

if TYPE_CHECKING:
    from mend.accounts.models import User

STALE = "stale"


@transaction.atomic
def update_reporting_settings(
    *,
    program: Program,
    by: User | None,
    expected_version: int | None,
    suppression_threshold: int,
    publish_trends: bool,
) -> OutcomeSettings:
    """`expected_version` is the settings' version the form was opened on (1 for
    settings never saved)."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    found = OutcomeSettings.objects.select_for_update().filter(program=program).first()
    current = found or OutcomeSettings(program=program)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Someone changed these settings since you opened the form. Nothing was saved."),
            code=STALE,
        )
    if not isinstance(suppression_threshold, int) or not 2 <= suppression_threshold <= 50:
        raise ValidationError(
            {"suppression_threshold": _("Enter a whole number between 2 and 50.")}
        )
    changes = {
        "suppression_threshold": suppression_threshold,
        "publish_trends": bool(publish_trends),
    }
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if found is not None and not changed:
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    if found is not None:
        current.version += 1
    current.save()
    audit.record(
        actor=by,
        action="reporting_settings.changed",
        obj=current,
        program=program,
        changed_fields=changed,
    )
    return current

"""What every case service shares: its refusals, the case row lock and the version check.

Each service that changes a case, or the consent, assessments or people in it, begins with
`lock_case()`: it takes the case's row lock (so two people acting at once are served one
after the other, and each sees what the other did) and refuses a form opened on an older
version of the case. It ends with `changed()`, which bumps the version and writes the audit
row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases.models import Case
from mend.cases.notices import Notice
from mend.cases.queries import case_facts
from mend.cases.stages import ENDED
from mend.core import audit

if TYPE_CHECKING:
    from mend.accounts.models import User


class CaseRuleError(Exception):
    """A request the practice rules refuse. `messages` are plain sentences for the user."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class Blocked(CaseRuleError):
    pass


class InvalidMove(CaseRuleError):
    pass


class StaleCase(CaseRuleError):
    """Someone changed the case since this form was opened. Nothing was saved."""


def blocked(case: Case, notices: Iterable[Notice]) -> Blocked:
    """A refusal worded from the rules' notices, in the reader's language."""
    return Blocked(*case_facts(case).say(notices))


def lock_case(case: Case, expected_version: int | None) -> Case:
    """Take the case's row lock, reload it, and refuse a form opened on an older version.

    `expected_version` is the version the person's form was opened on; None only for
    work with no form behind it (the daily safety check, demo data, the partner API).
    On SQLite, IMMEDIATE transactions already queue writers, so the lock is a no-op there.
    """
    case.refresh_from_db(from_queryset=Case.objects.select_for_update())
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(*stale_sentences(case, expected_version))
    return case


def require_reason_if_closed(case: Case, reason: str, field: str = "closed_reason") -> None:
    """A closed case can still be put right, but only with a written reason, audited by
    the service as `closed_reason` (see `closed_details`)."""
    if case.stage in ENDED and not reason.strip():
        raise ValidationError(
            {
                field: _(
                    "This case is closed. Say why you are changing it: the reason is kept "
                    "in the audit trail."
                )
            }
        )


def closed_details(case: Case, reason: str) -> dict[str, str]:
    """The audit detail a change to a closed case carries: why it was made."""
    return {"closed_reason": reason.strip()} if case.stage in ENDED and reason.strip() else {}


def stale_sentences(case: Case, opened_on: int) -> list[str]:
    """What changed in the case since a form was opened on version `opened_on`."""
    from mend.cases.changes import changes_since

    return [
        *changes_since(case, opened_on),
        _("Nothing was saved. Reload the page to see the case as it is now."),
    ]


def changed(
    case: Case,
    *,
    by: User | None,
    action: str,
    obj: models.Model | None = None,
    fields: Iterable[str] = (),
    changed_fields: Iterable[str] = (),
    **details: Any,
) -> None:
    """Save the case's `fields`, bump its version and audit the change, all at once.

    Every change to a case or the records in it passes here, so any form opened before it
    is stale, and the audit trail can say what happened since a given version.
    """
    fields = list(fields)
    values = {name: getattr(case, name) for name in fields}
    rows = Case.objects.filter(pk=case.pk, version=case.version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not rows:
        # Only possible for a caller that skipped lock_case(); refuse rather than overwrite.
        raise StaleCase(
            _("Someone else changed this case while you were working on it. Reload the page.")
        )
    case.version += 1
    audit.record(
        actor=by,
        action=action,
        obj=obj or case,
        subject=case,
        program=case.program,
        changed_fields=[*fields, *changed_fields],
        version=case.version,
        **details,
    )

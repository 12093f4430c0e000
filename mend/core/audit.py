"""Writing the audit trail.

`record()` is the one way to write an audit row. Services call it inside their own
`transaction.atomic()` block, so the row commits or rolls back with the change it describes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

from mend.core.models import AuditEvent

if TYPE_CHECKING:
    from mend.accounts.models import User
    from mend.programs.models import Program

_CONTROL = {ord(ch): None for ch in "\r\n\t\x00"}


def _clean(value: str, limit: int) -> str:
    # Strip control characters so a crafted username cannot forge extra log lines.
    return value.translate(_CONTROL)[:limit]


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    subject: models.Model | None = None,
    program: Program | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    changed_fields: Iterable[str] = (),
    actor_label: str = "",
    **details: Any,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = actor.get_username() if actor is not None else actor_label
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    if subject is None:
        subject = obj
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=_clean(label, 150),
        program=program,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        outcome=outcome,
        changed_fields=sorted(set(changed_fields)),
        details={key: _clean(str(value), 200) for key, value in details.items()},
    )

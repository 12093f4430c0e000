"""How the audit trail words what was done in reports and their settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent

PROGRAM_EVENTS: dict[str, Any] = {
    "reporting_settings.changed": gettext_lazy("%(who)s changed the program's reporting settings"),
}


def _sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event)})

    return render


def register_all() -> None:
    for action, text in PROGRAM_EVENTS.items():
        register_sentence(action, _sentence(text), group="program")

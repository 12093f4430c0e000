"""The audit sentences of surveys, worded when read, in the reader's language. An
anonymous answer's sentence names nobody: its row holds nothing to name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mend.cases.audit_sentences import case_named
from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent

CASE_EVENTS: dict[str, Any] = {
    "survey.sent": gettext_lazy("%(who)s sent a survey to someone in %(case)s"),
    "survey.reminded": gettext_lazy("Mend reminded someone in %(case)s of a survey"),
    "survey.answered": gettext_lazy("Someone in %(case)s answered a survey"),
    "survey.link_handed_over": gettext_lazy(
        "%(who)s made a survey link to hand to someone in %(case)s"
    ),
}
PROGRAM_EVENTS: dict[str, Any] = {
    "survey.created": gettext_lazy("%(who)s started the program's surveys"),
    "survey.revised": gettext_lazy("%(who)s changed the questions of a survey"),
    "survey.link_created": gettext_lazy("%(who)s made an anonymous survey link"),
    "survey.link_revoked": gettext_lazy("%(who)s stopped an anonymous survey link"),
    "survey.answered_anonymously": gettext_lazy("Someone answered a survey anonymously"),
}


def _case_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "case": case_named(event, reading)})

    return render


def _program_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event)})

    return render


def register_sentences() -> None:
    for code, text in CASE_EVENTS.items():
        register_sentence(code, _case_sentence(text), group="cases")
    for code, text in PROGRAM_EVENTS.items():
        register_sentence(code, _program_sentence(text), group="program")

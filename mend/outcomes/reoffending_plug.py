"""How re-offending follow-up plugs into Mend: closing a case makes its checks, the menu,
and the audit sentences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mend.cases import registry
from mend.cases.audit_sentences import case_named
from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent

PROGRAM_EVENTS: dict[str, Any] = {
    "reoffending.windows_changed": gettext_lazy(
        "%(who)s changed the months at which re-offending is checked"
    ),
    "reoffending.incidents_imported": gettext_lazy(
        "%(who)s imported a file of incidents from the police records system"
    ),
}

CASE_EVENTS: dict[str, Any] = {
    "reoffending.checks_created": gettext_lazy("%(who)s made the re-offending checks of %(case)s"),
    "reoffending.result_recorded": gettext_lazy(
        "%(who)s recorded a re-offending check result in %(case)s"
    ),
    "reoffending.result_corrected": gettext_lazy(
        "%(who)s corrected a re-offending check result in %(case)s"
    ),
    "reoffending.match_confirmed": gettext_lazy(
        "%(who)s confirmed that an imported incident is about a party of %(case)s"
    ),
    "reoffending.match_rejected": gettext_lazy(
        "%(who)s rejected a suggestion that an imported incident is about a party of %(case)s"
    ),
}


def _program_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event)})

    return render


def _case_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "case": case_named(event, reading)})

    return render


def plug_in() -> None:
    from mend.core.navigation import NavItem, register
    from mend.outcomes.reoffending_checks import on_case_changed

    for code, text in PROGRAM_EVENTS.items():
        register_sentence(code, _program_sentence(text), group="program")
    for code, text in CASE_EVENTS.items():
        register_sentence(code, _case_sentence(text), group="cases")
    registry.add_case_changed(on_case_changed)
    register(
        NavItem(
            gettext_lazy("Re-offending follow-up"),
            "outcomes:reoffending",
            "reoffending.record",
            order=62,
        )
    )

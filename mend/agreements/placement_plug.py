"""How placements, their verification and the program's fees plug into Mend: the menu,
the case page's fees section, the case timeline's flags and the audit sentences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.agreements.verification import PROBLEMS
from mend.cases import registry
from mend.cases.audit_sentences import case_named
from mend.cases.models import Case
from mend.cases.timeline import Entry
from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent

PROGRAM_EVENTS: dict[str, Any] = {
    "placement.created": gettext_lazy("%(who)s added the placement %(name)s"),
    "placement.changed": gettext_lazy("%(who)s changed the placement %(name)s"),
    "placement.retired": gettext_lazy("%(who)s retired the placement %(name)s"),
    "placement.link_created": gettext_lazy(
        "%(who)s made a verification link for the placement %(name)s"
    ),
    "placement.link_replaced": gettext_lazy(
        "%(who)s replaced the verification link of the placement %(name)s"
    ),
    "placement.link_revoked": gettext_lazy(
        "%(who)s revoked the verification link of the placement %(name)s"
    ),
    "agreement_settings.changed": gettext_lazy("%(who)s changed the program's agreement settings"),
}

CASE_EVENTS: dict[str, Any] = {
    "fee.charged": gettext_lazy("%(who)s recorded a program fee in %(case)s"),
    "fee.paid": gettext_lazy("%(who)s recorded a program fee payment in %(case)s"),
    "fee.waived": gettext_lazy("%(who)s waived a program fee in %(case)s"),
    "fee.plan_recorded": gettext_lazy("%(who)s recorded a fee payment plan in %(case)s"),
    "fee.corrected": gettext_lazy("%(who)s corrected a program fee entry in %(case)s"),
}

FLAGGED = gettext_lazy("%(contact)s, at the placement, said a session in %(case)s is wrong")


def _program_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "name": event.details.get("name", "")})

    return render


def _case_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "case": case_named(event, reading)})

    return render


def _flagged(event: AuditEvent, reading: Reading) -> Sentence:
    contact = event.details.get("contact") or _("The contact")
    return Sentence(FLAGGED, {"contact": contact, "case": case_named(event, reading)})


def flag_entries(case: Case) -> list[Entry]:
    """The placement's word that a session is wrong, for the case's staff to put right."""
    events = AuditEvent.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), action="agreement.hours_flagged"
    )
    entries = []
    for event in events:
        problem = PROBLEMS.get(event.details.get("problem", ""), PROBLEMS["other"])
        entries.append(
            Entry(
                event.occurred_at,
                "service",
                _("The placement said a community service session is wrong"),
                event.details.get("contact", ""),
                str(problem),
            )
        )
    return entries


def plug_in() -> None:
    from mend.agreements.fee_views import fees_section
    from mend.core.navigation import NavItem, register

    for code, text in PROGRAM_EVENTS.items():
        register_sentence(code, _program_sentence(text), group="program")
    for code, text in CASE_EVENTS.items():
        register_sentence(code, _case_sentence(text), group="cases")
    register_sentence("agreement.hours_flagged", _flagged, group="cases")
    registry.add_case_section(fees_section)
    registry.add_timeline_source(flag_entries)
    register(
        NavItem(gettext_lazy("Placements"), "agreements:placements", "placements.view", order=84)
    )
    register(
        NavItem(
            gettext_lazy("Agreement settings"),
            "agreements:agreement_settings",
            "program.configure",
            order=86,
        )
    )

"""The audit sentences of agreements, worded when read, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mend.cases.audit_sentences import case_named
from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent

# code -> sentence; each names who acted and the case.
CASE_EVENTS: dict[str, Any] = {
    "agreement.drafted": gettext_lazy("%(who)s drafted an agreement in %(case)s"),
    "agreement.term_added": gettext_lazy("%(who)s added a term to an agreement in %(case)s"),
    "agreement.term_changed": gettext_lazy("%(who)s changed a term of an agreement in %(case)s"),
    "agreement.term_removed": gettext_lazy("%(who)s removed a term from an agreement in %(case)s"),
    "agreement.signed": gettext_lazy("%(who)s recorded a party's agreement in %(case)s"),
    "agreement.binding": gettext_lazy("Every party has agreed to an agreement in %(case)s"),
    "agreement.reconvened": gettext_lazy(
        "%(who)s recorded a new version of an agreement in %(case)s"
    ),
    "agreement.ended": gettext_lazy("%(who)s ended an agreement in %(case)s"),
    "agreement.term_status": gettext_lazy("%(who)s changed the status of a term in %(case)s"),
    "agreement.term_renegotiated": gettext_lazy("%(who)s renegotiated a term in %(case)s"),
    "agreement.payment_recorded": gettext_lazy("%(who)s recorded a payment in %(case)s"),
    "agreement.payment_corrected": gettext_lazy("%(who)s corrected a payment in %(case)s"),
    "agreement.checked_in": gettext_lazy(
        "%(who)s recorded a community service check-in in %(case)s"
    ),
    "agreement.checked_out": gettext_lazy(
        "%(who)s recorded a community service check-out in %(case)s"
    ),
    "agreement.hours_verified": gettext_lazy(
        "%(who)s recorded community service hours as verified in %(case)s"
    ),
    "agreement.incident_recorded": gettext_lazy(
        "%(who)s recorded a warning or violation at a placement in %(case)s"
    ),
    "agreement.participation_confirmed": gettext_lazy(
        "%(who)s recorded the provider's confirmation in %(case)s"
    ),
    # Documents taken out of Mend (pdf_views).
    "agreement.copy_downloaded": gettext_lazy(
        "%(who)s downloaded a party's copy of an agreement in %(case)s"
    ),
    "agreement.closure_letter_downloaded": gettext_lazy(
        "%(who)s downloaded a closure letter in %(case)s"
    ),
    "agreement.outcome_report_downloaded": gettext_lazy(
        "%(who)s downloaded the outcome report of %(case)s"
    ),
}


def _case_sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "case": case_named(event, reading)})

    return render


def register_sentences() -> None:
    for code, text in CASE_EVENTS.items():
        register_sentence(code, _case_sentence(text), group="cases")

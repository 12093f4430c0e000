"""How agreements plugs into cases: its sections of the case page, its timeline entries,
its stage rules, what closing a case does to its agreements, the sentences of its audit
rows and its part of the demo; and what the case page and the agreement page show of an
agreement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.agreements import queries, services
from mend.agreements.models import Agreement, Term
from mend.cases import registry
from mend.cases.models import Case, Participant, Referral
from mend.cases.queries import participants_of
from mend.cases.stages import ENDED
from mend.cases.timeline import Entry
from mend.core.models import AuditEvent
from mend.programs.models import Membership

# The timeline's title of each event of an agreement; its text names whose agreement.
EVENT_TITLES: dict[str, Any] = {
    "agreement.drafted": gettext_lazy("Agreement drafted"),
    "agreement.term_added": gettext_lazy("Term added to an agreement"),
    "agreement.term_changed": gettext_lazy("Term of an agreement changed"),
    "agreement.term_removed": gettext_lazy("Term removed from an agreement"),
    "agreement.signed": gettext_lazy("A party's agreement recorded"),
    "agreement.binding": gettext_lazy("Every party has agreed"),
    "agreement.reconvened": gettext_lazy("New version after reconvening"),
    "agreement.ended": gettext_lazy("Agreement ended"),
    "agreement.term_status": gettext_lazy("Status of a term changed"),
    "agreement.term_renegotiated": gettext_lazy("Term renegotiated"),
    "agreement.payment_recorded": gettext_lazy("Payment recorded"),
    "agreement.payment_corrected": gettext_lazy("Payment corrected"),
    "agreement.checked_in": gettext_lazy("Community service check-in"),
    "agreement.checked_out": gettext_lazy("Community service check-out"),
    "agreement.hours_verified": gettext_lazy("Community service hours verified"),
    "agreement.incident_recorded": gettext_lazy("Warning or violation at a placement"),
    "agreement.participation_confirmed": gettext_lazy("Provider's confirmation recorded"),
}


def agreement_row(agreement: Agreement, people: Sequence[Participant]) -> dict[str, Any]:
    """Who must agree, who has (and how), and who is still to. Expects the agreement's
    signatures loaded with it (queries.with_signatures) and the case's participants."""
    signed = {s.participant_id: s for s in agreement.signatures.all()}
    must = services.signers(agreement, people)
    return {
        "agreement": agreement,
        "signers": [(p, signed.get(p.pk)) for p in must],
        "waiting": [p for p in must if p.pk not in signed],
        "signed_count": sum(1 for p in must if p.pk in signed),
    }


def term_row(term: Term) -> dict[str, Any]:
    """A term as its reader sees it: whom it serves, and its kind's details."""
    return {
        "term": term,
        "serves": str(term.serves.person) if term.serves else _("The community"),
        "hours": f"{term.service_minutes / 60:g}" if term.service_minutes else "",
        "instalments": list(term.instalments.all()),
    }


def term_rows(agreement: Agreement) -> list[dict[str, Any]]:
    return [term_row(t) for t in agreement.terms.all()]


def may_draft(case: Case, membership: Membership) -> bool:
    return case.stage in services.DRAFTING_STAGES and membership.can("agreements.manage")


def agreements_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    """The case's current agreements, one per responsible party, in a fixed number of
    queries whatever their number."""
    agreements = list(
        queries.with_signatures(queries.agreements_of_case(membership, case))
        .exclude(status=Agreement.Status.SUPERSEDED)
        .order_by("responsible_id")
    )
    if not agreements and case.stage not in services.DRAFTING_STAGES:
        return ""
    people = participants_of(case)
    covered = {a.responsible_id for a in agreements}
    free = [
        p
        for p in people
        if p.role == Participant.Role.RESPONSIBLE and p.is_active and p.pk not in covered
    ]
    return render_to_string(
        "agreements/agreements_section.html",
        {
            "case": case,
            "rows": [agreement_row(a, people) for a in agreements],
            "may_draft": may_draft(case, membership) and bool(free),
        },
        request=request,
    )


def closing_documents_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    """Once a case has ended: each party's closure letter and the referrer's report."""
    from mend.agreements.documents import links

    documents = links.closing_documents(membership, case)
    if not documents:
        return ""
    return render_to_string(
        "agreements/includes/closing_documents.html", {"documents": documents}, request=request
    )


def outcome_report_section(referral: Referral, membership: Membership, request: HttpRequest) -> str:
    """For the referrer, once the case has ended: the outcome report to download."""
    if referral.case.stage not in ENDED or not membership.can("referrals.follow_own"):
        return ""
    return render_to_string(
        "agreements/includes/outcome_report_link.html", {"case": referral.case}, request=request
    )


def agreement_entries(case: Case, only: Agreement | None = None) -> list[Entry]:
    """The agreement events of the case (or of one agreement), in two queries."""
    events = AuditEvent.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), action__in=list(EVENT_TITLES)
    ).select_related("actor")
    if only is not None:
        events = events.filter(details__agreement=str(only.pk))
    shown = (
        Agreement.objects.filter(case=case).select_related("responsible__person")
        if only is None
        else [only]
    )
    agreements = {str(a.pk): a for a in shown}
    entries = []
    for event in events:
        agreement = agreements.get(str(event.details.get("agreement", "")))
        if agreement is None:
            continue
        entries.append(
            Entry(
                event.occurred_at,
                "agreement",
                str(EVENT_TITLES[event.action]),
                event.actor.display_name if event.actor else _("Mend"),
                _("Agreement of %(person)s, version %(number)s")
                % {"person": agreement.responsible.person, "number": agreement.number},
                automatic=event.actor is None,
            )
        )
    return entries


def plug_in() -> None:
    from mend.agreements import demo as agreement_demo
    from mend.agreements import sentences, stage_rules
    from mend.cases import demo

    registry.add_case_section(agreements_section)
    registry.add_case_section(closing_documents_section)
    registry.add_referral_section(outcome_report_section)
    registry.add_timeline_source(agreement_entries)
    registry.add_stage_condition(stage_rules.agreement_done)
    registry.add_case_changed(services.follow_case_ending)
    stage_rules.register_wordings()
    sentences.register_sentences()
    # The demo's cases that reach agreement record their agreements, and how far they
    # have been kept, here.
    demo.add_agreed(agreement_demo.record)

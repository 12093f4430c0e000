"""Reads of agreements that depend on who is asking. Agreements are reached through these
only.

An agreement is the case team's record: it is visible to whoever may see its case
(mend.cases.queries' one rule: coordinators, the case's facilitators, the volunteers
assigned to it). Changing it takes the capability `agreements.manage`. Another program's
agreement, or one of a case the member may not see, is a 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from mend.agreements.models import Agreement, Signature, Term
from mend.cases.models import Case
from mend.cases.queries import cases_visible_to
from mend.programs.models import Membership


def agreements_visible_to(membership: Membership) -> QuerySet[Agreement]:
    """Coordinators and administrators: the program's. Facilitators and volunteers: those
    of the cases they lead or are assigned to. Everyone else: none."""
    return Agreement.objects.filter(
        case__program_id=membership.program_id,
        case__in=cases_visible_to(membership).values("pk"),
    )


def agreements_of_case(membership: Membership, case: Case) -> QuerySet[Agreement]:
    return agreements_visible_to(membership).filter(case=case)


def with_signatures(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return agreements.select_related("responsible__person").prefetch_related(
        Prefetch(
            "signatures",
            queryset=Signature.objects.select_related("participant__person", "witnessed_by"),
        )
    )


def agreement_for(membership: Membership, case: Case, pk: int) -> Agreement:
    """One agreement of the case, with what its page shows, in a fixed number of queries."""
    agreement = (
        with_signatures(agreements_of_case(membership, case))
        .select_related("meeting", "previous", "next_version", "created_by")
        .prefetch_related(
            Prefetch(
                "terms",
                queryset=Term.objects.select_related(
                    "serves__person", "monitor", "placement", "letter"
                ).prefetch_related("instalments"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise Http404
    agreement.case = case
    return agreement


def term_of(agreement: Agreement, term_id: int) -> Term:
    term = next((t for t in agreement.terms.all() if t.pk == term_id), None)
    if term is None:
        raise Http404
    return term


def signature_of(agreement: Agreement, signature_id: int) -> Signature:
    signature = next((s for s in agreement.signatures.all() if s.pk == signature_id), None)
    if signature is None or not signature.scan_name:
        raise Http404
    return signature

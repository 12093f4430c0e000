"""Reads of one term and its follow-up that depend on who is asking.

A term is visible when its case is (mend.cases.queries' one rule: the case team,
coordinators and administrators, the volunteers assigned to it). Anything else, another
program's term included, is a 404.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from mend.agreements.models import Payment, ServiceIncident, ServiceSession, Term
from mend.cases.queries import get_case_for
from mend.programs.models import Membership


def term_for(membership: Membership, case_reference: str, agreement_id: int, term_id: int) -> Term:
    """The term with what its page shows, in a fixed number of queries whatever the
    number of payments and sessions."""
    case = get_case_for(membership, case_reference)
    term = (
        Term.objects.filter(pk=term_id, agreement_id=agreement_id, agreement__case=case)
        .select_related(
            "agreement__responsible__person",
            "serves__person",
            "monitor",
            "placement",
            "letter",
            "replaced_by",
            "replaces",
        )
        .prefetch_related(
            "instalments",
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("recorded_by", "reverses", "reversed_by"),
            ),
            Prefetch(
                "sessions",
                queryset=ServiceSession.objects.select_related("verified_by", "placement"),
            ),
            Prefetch("incidents", queryset=ServiceIncident.objects.select_related("recorded_by")),
        )
        .first()
    )
    if term is None:
        raise Http404
    # The case as the scoping query loaded it (with its program), not read again.
    term.agreement.case = case
    return term

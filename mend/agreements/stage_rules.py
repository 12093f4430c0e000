"""The stage rule that reads agreements, added through the cases registry.

Closing a case as completed with agreement needs an agreement every party agreed to, and
everything agreed done: each term of each current agreement completed or waived, or
renegotiated into a term that was. Two queries, whatever the number of terms.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mend.agreements.models import Agreement, Term
from mend.cases import notices
from mend.cases.notices import Notice, Reading
from mend.cases.registry import COMPLETING_WITH_AGREEMENT
from mend.cases.rules import CaseFacts

SETTLED = frozenset({Term.Status.COMPLETED, Term.Status.WAIVED})


def _term_open(term: Term, loaded: set[int]) -> Term | None:
    """The term that stands open in `term`'s place, or None when it is done with."""
    if term.status == Term.Status.RENEGOTIATED:
        if term.replaced_by_id in loaded:
            # The replacing term is judged on its own.
            return None
        replacement = term.replaced_by
        if replacement is None or replacement.status not in SETTLED:
            return replacement or term
        return None
    return None if term.status in SETTLED else term


def agreement_done(facts: CaseFacts, to: str) -> list[Notice]:
    if to != COMPLETING_WITH_AGREEMENT:
        return []
    current = list(
        Agreement.objects.filter(case=facts.case)
        .exclude(status=Agreement.Status.SUPERSEDED)
        .values_list("pk", "responsible_id", "status")
    )
    if not any(status != Agreement.Status.DRAFT for _pk, _who, status in current):
        return [Notice("agreement_none")]
    found: list[Notice] = [
        Notice("agreement_draft", participant=who)
        for _pk, who, status in current
        if status == Agreement.Status.DRAFT
    ]
    agreed = [pk for pk, _who, status in current if status != Agreement.Status.DRAFT]
    terms = list(
        Term.objects.filter(agreement_id__in=agreed)
        .select_related("agreement", "replaced_by")
        .order_by("agreement__responsible_id", "position", "id")
    )
    loaded = {term.pk for term in terms}
    open_terms = [
        Notice(
            "agreement_term_open",
            participant=term.agreement.responsible_id,
            value=still.kind,
            state=still.status,
        )
        for term in terms
        if (still := _term_open(term, loaded)) is not None
    ]
    found += list(dict.fromkeys(open_terms))
    if open_terms:
        found.append(Notice("agreement_reconvene_or_close"))
    return found


def _kind(code: str) -> str:
    return str(Term.Kind(code).label).lower() if code in Term.Kind.values else code


def _term(notice: Notice, reading: Reading) -> str:
    values = {"kind": _kind(notice.value), "name": reading.name(notice)}
    if notice.state == Term.Status.NOT_COMPLETED:
        return _("The %(kind)s term of %(name)s's agreement was not completed.") % values
    if notice.state == Term.Status.IN_PROGRESS:
        return _("The %(kind)s term of %(name)s's agreement is still in progress.") % values
    return _("The %(kind)s term of %(name)s's agreement has not been started.") % values


def register_wordings() -> None:
    notices.register(
        "agreement_none",
        lambda n, r: _(
            "No agreement has been agreed by every party: record their agreement, or close "
            "the case as completed without agreement."
        ),
    )
    notices.register(
        "agreement_draft",
        lambda n, r: (
            _("%(name)s's agreement has not been agreed by every party yet.") % {"name": r.name(n)}
        ),
    )
    notices.register("agreement_term_open", _term)
    notices.register(
        "agreement_reconvene_or_close",
        lambda n, r: _(
            "Some terms are not completed: reconvene the parties for a new version, or close "
            "as agreement not completed."
        ),
    )

"""The documents a member may download, as links for the agreement and case pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from mend.agreements import services
from mend.agreements.documents.access import parties_of
from mend.agreements.documents.words import name_of, program_language, reader_language
from mend.agreements.models import Agreement
from mend.cases.models import Case, Participant
from mend.cases.stages import ENDED
from mend.core.languages import language_name
from mend.programs.models import Membership

# Documents leave Mend: those who work on cases hand them out (as with letters' files).
CAPABILITY = "cases.work"


@dataclass(frozen=True)
class Download:
    label: str
    url: str


def _for(person: Participant, case: Case) -> str:
    return _("for %(name)s (%(role)s), in %(language)s") % {
        "name": name_of(person),
        "role": str(person.get_role_display()).lower(),
        "language": language_name(reader_language(person, case.program)),
    }


def copies_of(membership: Membership, agreement: Agreement) -> list[Download]:
    """Each party's copy of the agreement; none for a member who may not hand them out.
    The agreement's case is the one the page read for this member."""
    if not membership.can(CAPABILITY):
        return []
    case = agreement.case
    return [
        Download(
            _("Copy %(for)s") % {"for": _for(person, case)},
            reverse(
                "agreements:party_copy",
                kwargs={
                    "reference": case.reference,
                    "agreement_id": agreement.pk,
                    "participant_id": person.pk,
                },
            ),
        )
        for person in services.signers(agreement)
    ]


def closing_documents(membership: Membership, case: Case) -> list[Download]:
    """Once the case has ended: a closure letter for each party, and the referrer's report."""
    if not membership.can(CAPABILITY) or case.stage not in ENDED:
        return []
    letters = [
        Download(
            _("Closure letter %(for)s") % {"for": _for(person, case)},
            reverse(
                "agreements:closure_letter",
                kwargs={"reference": case.reference, "participant_id": person.pk},
            ),
        )
        for person in parties_of(case)
    ]
    report = Download(
        _("Outcome report for the referrer, in %(language)s")
        % {"language": language_name(program_language(case.program))},
        reverse("agreements:outcome_report", kwargs={"reference": case.reference}),
    )
    return [*letters, report]

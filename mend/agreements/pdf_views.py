"""The agreement's documents as PDF downloads, after the reader is checked. HTTP only.

Each download is recorded in the audit trail before the file is made, as any copy of a
case's records that leaves Mend is. The files are always saved, never shown in the
browser, and never cached.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mend.accounts.models import User
from mend.agreements.documents import access, pdf
from mend.agreements.documents.closure import closure_letter
from mend.agreements.documents.copies import copy_for
from mend.agreements.documents.links import CAPABILITY
from mend.agreements.documents.outcome import outcome_report
from mend.cases.models import Case
from mend.core import audit
from mend.programs.access import program_view, refuse
from mend.programs.models import Membership


def _download(document: pdf.Document, filename: str) -> HttpResponse:
    response = HttpResponse(pdf.render(document), content_type="application/pdf")
    # Letters, digits, dots and dashes only: nothing in the header to quote or escape.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _record(request: HttpRequest, action: str, case: Case, **details: Any) -> None:
    assert isinstance(request.user, User)
    audit.record(actor=request.user, action=action, obj=case, program=case.program, **details)


@program_view(CAPABILITY)
@require_GET
def party_copy(
    request: HttpRequest,
    membership: Membership,
    reference: str,
    agreement_id: int,
    participant_id: int,
) -> HttpResponse:
    agreement = access.agreement_for(membership, reference, agreement_id)
    reader = access.signer_of(agreement, participant_id)
    case = agreement.case
    _record(
        request,
        "agreement.copy_downloaded",
        case,
        agreement=str(agreement.pk),
        participant=str(reader.pk),
    )
    return _download(
        copy_for(agreement, reader),
        f"{case.reference}-agreement-{agreement.number}-copy-{reader.pk}.pdf",
    )


@program_view(CAPABILITY)
@require_GET
def closure_letter_pdf(
    request: HttpRequest, membership: Membership, reference: str, participant_id: int
) -> HttpResponse:
    case = access.ended_case_for(membership, reference)
    reader = access.party_of(case, participant_id)
    _record(request, "agreement.closure_letter_downloaded", case, participant=str(reader.pk))
    return _download(closure_letter(case, reader), f"{case.reference}-closure-{reader.pk}.pdf")


@program_view()
@require_GET
def outcome_report_pdf(
    request: HttpRequest, membership: Membership, reference: str
) -> HttpResponse:
    """For the case team, and for the referrer who follows the referral, once it closed."""
    if membership.can("referrals.follow_own"):
        case = access.referred_case_for(membership, reference)
    elif membership.can(CAPABILITY):
        case = access.ended_case_for(membership, reference)
    else:
        refuse(request, membership, CAPABILITY)
    _record(request, "agreement.outcome_report_downloaded", case)
    return _download(outcome_report(case), f"{case.reference}-outcome-report.pdf")

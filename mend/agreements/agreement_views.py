"""The pages of an agreement: drafting it, the agreement itself, and its forms (terms,
each party's agreement, reconvening), and the download of a signed copy. HTTP only."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mend.accounts.models import User
from mend.agreements import agreement_forms as forms
from mend.agreements import plug, queries, scans, services
from mend.agreements.documents import links
from mend.agreements.models import Agreement
from mend.cases import services as case_services
from mend.cases.case_views import attach
from mend.cases.models import Case
from mend.cases.queries import get_case_for, participants_of
from mend.cases.services.base import CaseRuleError
from mend.core import submissions
from mend.core.crypto import DecryptionError
from mend.core.numbers import whole_number
from mend.processes.models import ConferenceRecord, Meeting
from mend.programs.access import program_view
from mend.programs.models import Membership


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _save(request: HttpRequest, form: Any, save: Callable[[], object], done: str) -> int:
    """Save once: 0 when saved (or saved before, by the same form), else the error status.
    A stale form or a refusal is 409, bad input 400; nothing is saved either way."""
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=_user(request)):
                messages.info(request, _("This was already saved."))
                return 0
            save()
    except CaseRuleError as error:
        for sentence in error.messages:
            form.add_error(None, sentence)
        return 409
    except ValidationError as error:
        attach(form, error)
        return 400
    messages.success(request, done)
    return 0


def _page(
    request: HttpRequest,
    template: str,
    case: Case,
    form: Any,
    status: int,
    **context: Any,
) -> HttpResponse:
    if not status and form.is_bound and form.errors:
        status = 400
        if request.POST.get("version") != str(form.initial["version"]):
            # A choice that vanished meanwhile (a party who has agreed since) is news,
            # not a mistake: say the form is stale.
            form.add_error(None, _("Someone changed this agreement since you opened the form."))
            status = 409
    return render(request, template, {"case": case, "form": form, **context}, status=status or 200)


# Drafting


def _drafting_meeting(request: HttpRequest, meetings: list[Meeting]) -> Meeting | None:
    """The meeting asked for, or else the latest one with a conference record, or the
    latest held."""
    asked = whole_number(request.POST.get("meeting") or request.GET.get("meeting"))
    if asked is not None:
        return next((m for m in meetings if m.pk == asked), None)
    recorded = set(
        ConferenceRecord.objects.filter(meeting__in=meetings).values_list("meeting_id", flat=True)
    )
    return next((m for m in meetings if m.pk in recorded), meetings[0] if meetings else None)


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    if case.stage not in services.DRAFTING_STAGES:
        messages.error(
            request, _("An agreement is drafted once the restorative process has begun.")
        )
        return redirect(case.get_absolute_url() + "#agreements")
    meetings = forms.held_meetings(case)
    meeting = _drafting_meeting(request, meetings)
    form = forms.DraftForm(request.POST or None, case=case, meeting=meeting)
    if not form.fields["responsible"].choices:  # type: ignore[attr-defined]
        messages.info(request, _("Every responsible party has an agreement already."))
        return redirect(case.get_absolute_url() + "#agreements")
    status = 0
    if form.is_valid():
        made: list[Agreement] = []
        status = _save(
            request,
            form,
            lambda: made.append(
                services.draft_agreement(
                    case=case,
                    responsible=form.chosen_responsible(),
                    terms=form.terms(),
                    by=_user(request),
                    expected_version=form.cleaned_data["version"],
                    meeting=meeting,
                )
            ),
            _("The agreement is drafted. Check each term, then record each party's agreement."),
        )
        if not status:
            return _back(made[0]) if made else redirect(case.get_absolute_url() + "#agreements")
    return _page(
        request,
        "agreements/draft.html",
        case,
        form,
        status,
        meetings=[(m, forms.meeting_label(m, case)) for m in meetings],
        meeting=meeting,
        title=_("Draft an agreement"),
    )


# The agreement's page


@program_view()
@require_GET
def agreement_page(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int
) -> HttpResponse:
    case = get_case_for(membership, reference)
    agreement = queries.agreement_for(membership, case, agreement_id)
    # The agreement names the people in the case, like the case page: it is logged.
    case_services.record_case_view(case=case, by=_user(request))
    people = participants_of(case)
    try:
        following = agreement.next_version
    except Agreement.DoesNotExist:
        following = None
    history = sorted(plug.agreement_entries(case, only=agreement), key=lambda e: e.at, reverse=True)
    return render(
        request,
        "agreements/agreement.html",
        {
            "case": case,
            "agreement": agreement,
            "following": following,
            "terms": plug.term_rows(agreement),
            "agreement_row": plug.agreement_row(agreement, people),
            "may_manage": membership.can("agreements.manage"),
            "copies": links.copies_of(membership, agreement),
            "may_work": membership.can("cases.work"),
            "history": history,
        },
    )


def _managed(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int
) -> tuple[Case, Agreement]:
    case = get_case_for(membership, reference)
    return case, queries.agreement_for(membership, case, agreement_id)


def _back(agreement: Agreement) -> HttpResponse:
    return redirect("agreements:agreement", agreement.case.reference, agreement.pk)


def _not_draft(request: HttpRequest, agreement: Agreement) -> HttpResponse | None:
    if agreement.status == Agreement.Status.DRAFT:
        return None
    messages.error(
        request,
        _(
            "Every party has agreed to this agreement: its terms change only by "
            "renegotiating a term or by reconvening for a new version."
        ),
    )
    return _back(agreement)


def _term_form_page(
    request: HttpRequest, case: Case, agreement: Agreement, form: Any, status: int, title: str
) -> HttpResponse:
    return _page(
        request, "agreements/term_form.html", case, form, status, agreement=agreement, title=title
    )


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def add_term(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    refused = _not_draft(request, agreement)
    if refused:
        return refused
    form = forms.TermForm(request.POST or None, case=case, agreement=agreement)
    status = 0
    if form.is_valid():
        status = _save(
            request,
            form,
            lambda: services.add_term(
                agreement=agreement,
                details=form.details(),
                by=_user(request),
                expected_version=form.cleaned_data["version"],
                reason=form.closed_reason,
            ),
            _("The term is added."),
        )
        if not status:
            return _back(agreement)
    return _term_form_page(request, case, agreement, form, status, _("Add a term"))


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def change_term(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int, term_id: int
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    term = queries.term_of(agreement, term_id)
    refused = _not_draft(request, agreement)
    if refused:
        return refused
    form = forms.TermForm(request.POST or None, case=case, agreement=agreement, term=term)
    status = 0
    if form.is_valid():
        status = _save(
            request,
            form,
            lambda: services.change_term(
                term=term,
                details=form.details(),
                by=_user(request),
                expected_version=form.cleaned_data["version"],
                reason=form.closed_reason,
            ),
            _("The term is changed."),
        )
        if not status:
            return _back(agreement)
    return _term_form_page(request, case, agreement, form, status, _("Change a term"))


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def remove_term(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int, term_id: int
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    term = queries.term_of(agreement, term_id)
    refused = _not_draft(request, agreement)
    if refused:
        return refused
    form = forms.RemoveTermForm(request.POST or None, case=case, version=agreement.version)
    status = 0
    if form.is_valid():
        status = _save(
            request,
            form,
            lambda: services.remove_term(
                term=term,
                by=_user(request),
                expected_version=form.cleaned_data["version"],
                reason=form.closed_reason,
            ),
            _("The term is removed."),
        )
        if not status:
            return _back(agreement)
    return _page(
        request,
        "agreements/remove_term.html",
        case,
        form,
        status,
        agreement=agreement,
        term=plug.term_row(term),
        title=_("Remove a term"),
    )


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def sign(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    refused = _not_draft(request, agreement)
    if refused:
        return refused
    row = plug.agreement_row(agreement, participants_of(case))
    form = forms.SignatureForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        agreement=agreement,
        waiting=row["waiting"],
    )
    status = 0
    if form.is_valid():
        status = _record_signature(request, form, agreement)
        if not status:
            return _back(agreement)
    return _page(
        request,
        "agreements/sign.html",
        case,
        form,
        status,
        agreement=agreement,
        title=_("Record a party's agreement"),
    )


def _record_signature(request: HttpRequest, form: forms.SignatureForm, agreement: Agreement) -> int:
    data = form.cleaned_data
    method = data["method"]
    stored: list[str] = []

    def save() -> None:
        scan_name, scan_type = "", ""
        if method == "scanned" and data.get("scan"):
            scan_name, scan_type = scans.store(data["scan"])
            stored.append(scan_name)
        services.record_signature(
            agreement=agreement,
            participant=form.chosen_participant(),
            method=method,
            agreed_on=data["agreed_on"],
            by=_user(request),
            expected_version=data["version"],
            signed_name=data.get("signed_name") or "",
            scan_name=scan_name,
            scan_type=scan_type,
            reason=form.closed_reason,
        )

    status = _save(request, form, save, _("Their agreement is recorded."))
    if status:
        # Nothing half-saved: a signed copy without its signature is never kept.
        for name in stored:
            scans.discard(name)
    return status


@program_view("agreements.manage")
@require_http_methods(["GET", "POST"])
def reconvene(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    if agreement.status not in (Agreement.Status.BINDING, Agreement.Status.NOT_COMPLETED):
        messages.error(request, _("Only an agreement every party agreed to can be reconvened."))
        return _back(agreement)
    form = forms.ReconveneForm(request.POST or None, case=case, agreement=agreement)
    status = 0
    made: list[Agreement] = []
    if form.is_valid():
        status = _save(
            request,
            form,
            lambda: made.append(
                services.reconvene(
                    agreement=agreement,
                    reason=form.cleaned_data["reason"],
                    meeting=form.chosen_meeting(),
                    by=_user(request),
                    expected_version=form.cleaned_data["version"],
                    closed_reason=form.closed_reason,
                )
            ),
            _("The new version is drafted with the open terms. Record each party's agreement."),
        )
        if not status:
            return _back(made[0] if made else agreement)
    return _page(
        request,
        "agreements/reconvene.html",
        case,
        form,
        status,
        agreement=agreement,
        title=_("Reconvene for a new version"),
    )


# A scanned paper may carry more than the agreement: for those who work the case, like the
# party copies and letters' files.
@program_view("cases.work")
@require_GET
def signed_copy(
    request: HttpRequest,
    membership: Membership,
    reference: str,
    agreement_id: int,
    signature_id: int,
) -> HttpResponse:
    case, agreement = _managed(request, membership, reference, agreement_id)
    signature = queries.signature_of(agreement, signature_id)
    case_services.record_case_view(case=case, by=_user(request), signed_copy=str(signature.pk))
    try:
        data = scans.read(signature)
    except (FileNotFoundError, DecryptionError) as unreadable:
        # Gone, or not the file stored under this name: never served.
        raise Http404 from unreadable
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=scans.download_name(signature),
        content_type=signature.scan_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a FileResponse streams

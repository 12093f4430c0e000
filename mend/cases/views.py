"""Referral intake, the case list, the case page and the actions on a case. HTTP only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.cases import services
from mend.cases.case_views import attach
from mend.cases.forms import (
    CASE_SORTS,
    CaseFilterForm,
    HarmedFormSet,
    ReferralForm,
    ResponsibleFormSet,
    matching_people,
    party_details,
)
from mend.cases.models import Person, Referral
from mend.cases.needs import cases_needing, mine
from mend.cases.queries import (
    cases_matching,
    cases_visible_to,
    prefetch_case_list,
)
from mend.cases.stages import ENDED
from mend.core import submissions
from mend.core.filters import within_dates
from mend.core.pagination import CappedPaginator
from mend.programs.access import program_view
from mend.programs.models import Membership

PAGE_SIZE = 25
SEARCH_COUNT_CAP = 10 * PAGE_SIZE


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- Referrals -------------------------------------------------------------------------


def _party(form: Any, program_id: int) -> services.PartyDetails:
    data = form.cleaned_data
    existing = None
    if data.get("link_to"):
        existing = Person.objects.filter(pk=data["link_to"], program_id=program_id).first()
    return party_details(data, existing)


def _offer_duplicates(formset: Any, program_id: int) -> bool:
    """Offer each party form the people it may duplicate (before validation, so the
    choice validates). True when any form has a probable duplicate."""
    found = False
    for form in formset.forms:
        raw = form.data if form.is_bound else {}
        matches = matching_people(
            program_id,
            raw.get(form.add_prefix("given_name"), ""),
            raw.get(form.add_prefix("family_name"), ""),
            raw.get(form.add_prefix("date_of_birth"), ""),
        )
        form.fields["link_to"].choices = [("", _("No, this is someone new"))] + [
            (p.pk, _("Yes: %(name)s, born %(born)s") % {"name": p, "born": p.date_of_birth})
            for p in matches
        ]
        form.matches = matches
        found = found or bool(matches)
    return found


def _with_another_form(data: Any, prefix: str) -> Any:
    """The submitted data with one more (blank) form in the named formset."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    raw = str(data.get(key) or "1").strip()
    # A count that is not a small number (anyone can send one) counts as one form.
    count = int(raw) if raw.isdecimal() and len(raw) < 4 else 1
    data[key] = str(min(max(count, 1) + 1, 10))
    return data


@program_view("referrals.submit")
@require_http_methods(["GET", "POST"])
def new_referral(request: HttpRequest, membership: Membership) -> HttpResponse:
    program_id = membership.program_id
    data = request.POST if request.method == "POST" else None
    adding = request.POST.get("add") if data is not None else None
    if adding in ("harmed", "responsible"):
        # "Add another person" re-shows the form with one more blank person; no JS needed.
        data = _with_another_form(data, adding)
    form = ReferralForm(data, membership=membership)
    harmed = HarmedFormSet(data, prefix="harmed")
    responsible = ResponsibleFormSet(data, prefix="responsible")
    # Whether someone is already known to the program is for screening staff to see,
    # never for a referrer: it would tell an officer about other agencies' cases.
    has_duplicates = membership.can("referrals.screen") and (
        _offer_duplicates(harmed, program_id) | _offer_duplicates(responsible, program_id)
    )
    ask_duplicates = False
    if data is not None and not adding:
        valid = form.is_valid() & harmed.is_valid() & responsible.is_valid()
        if valid and has_duplicates and request.POST.get("duplicates_checked") != "1":
            ask_duplicates = True
            messages.warning(
                request,
                _(
                    "Some people may already be known to the program. Say below whether "
                    "they are the same person, then send the referral."
                ),
            )
        elif valid:
            sent = _submit(request, membership, form, harmed, responsible)
            if sent is not None:
                return sent
    elif data is None:
        _prefill(form, membership, _user(request))
    else:
        _without_errors(form, harmed, responsible)
    has_errors = not adding and bool(
        form.errors or harmed.total_error_count() or responsible.total_error_count()
    )
    return render(
        request,
        "cases/referral_form.html",
        {
            "form": form,
            "harmed": harmed,
            "responsible": responsible,
            "ask_duplicates": ask_duplicates or has_duplicates,
        },
        status=400 if has_errors else 200,
    )


def _without_errors(form: ReferralForm, *formsets: Any) -> None:
    """Adding a person is not sending the referral: nothing is wrong yet, so nothing is
    marked as wrong (the fields keep what was typed)."""
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    for formset in formsets:
        formset.full_clean()
        formset._non_form_errors = formset.error_class()
        for party in formset.forms:
            party._errors = ErrorDict()


def _prefill(form: ReferralForm, membership: Membership, user: User) -> None:
    """A referrer refers as themselves: their name, and the phone and badge number they
    gave last time. Staff taking a referral for a caller start from empty fields."""
    if membership.can("referrals.screen"):
        return
    last = (
        Referral.objects.filter(program_id=membership.program_id, submitted_by=user)
        .order_by("-created_at")
        .first()
    )
    form.initial.update(
        referrer_name=user.display_name,
        referrer_email=last.referrer_email if last and last.referrer_email else user.email,
        referrer_phone=last.referrer_phone if last else "",
        referrer_staff_id=last.referrer_staff_id if last else "",
    )


def _submit(
    request: HttpRequest, membership: Membership, form: Any, harmed: Any, responsible: Any
) -> HttpResponse | None:
    """Send the referral once, however many times the form arrives."""
    token = form.cleaned_data["submission"]
    try:
        with transaction.atomic():
            if not submissions.claim(token, user=_user(request)):
                messages.info(request, _("This referral was already sent."))
                return redirect(submissions.earlier_result(token) or "cases:referral_list")
            referral = _send(request, membership, form, harmed, responsible)
            target = (
                referral.case.get_absolute_url()
                if membership.can("cases.view_all")
                else reverse("cases:referral_detail", args=[referral.pk])
            )
            submissions.remember_result(token, target)
    except ValidationError as error:
        attach(form, error)
        return None
    messages.success(
        request,
        _("Referral received. Its reference is %(reference)s.")
        % {"reference": referral.case.reference},
    )
    return redirect(target)


def _send(
    request: HttpRequest, membership: Membership, form: Any, harmed: Any, responsible: Any
) -> Referral:
    program_id = membership.program_id
    data = form.cleaned_data
    agency = membership.agency if membership.agency_id else data.get("agency")
    return services.submit_referral(
        program=membership.program,
        agency=agency,
        by=_user(request),
        referrer=services.ReferrerDetails(
            name=data["referrer_name"],
            email=data["referrer_email"],
            phone=data["referrer_phone"],
            staff_id=data["referrer_staff_id"],
        ),
        details=services.ReferralDetails(
            incident_reference=data["incident_reference"],
            incident_date=data["incident_date"],
            offence_category=data["offence_category"],
            justice_stage=data["justice_stage"],
            summary=data["summary"],
            area=data["area"],
            precinct=data["precinct"],
            harmed=[_party(f, program_id) for f in harmed.filled()],
            responsible=[_party(f, program_id) for f in responsible.filled()],
        ),
    )


# --- Cases -----------------------------------------------------------------------------


@program_view()
def case_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not (membership.can("cases.view_all") or membership.can("cases.view_assigned")):
        raise Http404
    cases = cases_visible_to(membership)
    form = CaseFilterForm(request.GET or None, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            cases = cases_matching(cases, data["q"], membership.program_id)
        if data["stage"]:
            cases = cases.filter(stage=data["stage"])
        if data["facilitator"]:
            cases = cases.filter(lead_facilitator=data["facilitator"])
        if data["offence_category"]:
            cases = cases.filter(offence_category=data["offence_category"])
        cases = within_dates(cases, "created_at", data["since"], data["until"])
        if data["needs"]:
            cases = cases_needing(
                cases,
                data["needs"],
                membership.program.assessment_validity_days,
                timezone.localdate(),
            )
        if data["mine"]:
            cases = mine(cases, membership.user_id)
        if data["open"]:
            cases = cases.exclude(stage__in=ENDED)
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    ordered = cases.order_by(*CASE_SORTS.get(sort, CASE_SORTS["-referred"]))
    # A search's matches are read, not browsed: counting a common name's thousands of cases
    # costs seconds on a large program, ten pages of them a fraction of that.
    cap = SEARCH_COUNT_CAP if form.is_valid() and form.cleaned_data["q"] else None
    page = CappedPaginator(prefetch_case_list(ordered), PAGE_SIZE, cap=cap).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
            "columns": _sortable_columns(request, sort or "-referred"),
        },
        status=400 if form.errors else 200,
    )


def _sortable_columns(request: HttpRequest, sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it, and its aria-sort state."""
    columns = {}
    for key in ("reference", "stage", "lead", "referred"):
        query = request.GET.copy()
        query.pop("page", None)
        descending = sort == f"-{key}"
        query["sort"] = key if descending else f"-{key}"
        if sort != key and not descending:
            # First click: oldest or A first for names, newest first for dates.
            query["sort"] = f"-{key}" if key == "referred" else key
        state = "descending" if descending else ("ascending" if sort == key else "none")
        columns[key] = {"url": f"?{query.urlencode()}", "state": state}
    return columns

"""Referral intake, the case list, the case page and the actions on a case. HTTP only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.cases import services
from mend.cases.actions import ACTIONS
from mend.cases.forms import (
    CaseFilterForm,
    HarmedFormSet,
    ReferralForm,
    ResponsibleFormSet,
    matching_people,
    party_details,
)
from mend.cases.models import Case, Participant, Person, Referral
from mend.cases.queries import (
    case_facts,
    cases_visible_to,
    get_case_for,
    get_referral_for,
    notes_visible_to,
    prefetch_case_list,
    referrals_visible_to,
)
from mend.cases.rules import what_blocks
from mend.cases.stages import ENDED, MAIN_PATH, NEXT, Stage
from mend.cases.timeline import timeline_for
from mend.core.filters import within_dates
from mend.core.models import AuditEvent
from mend.programs.access import program_view
from mend.programs.models import Membership

PAGE_SIZE = 25


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
    data[key] = str(min(int(data.get(key) or 1) + 1, 10))
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
    has_duplicates = _offer_duplicates(harmed, program_id) | _offer_duplicates(
        responsible, program_id
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
            referral = _submit(request, membership, form, harmed, responsible)
            if referral is not None:
                messages.success(
                    request,
                    _("Referral received. Its reference is %(reference)s.")
                    % {"reference": referral.case.reference},
                )
                if membership.can("cases.view_all"):
                    return redirect(referral.case)
                return redirect("cases:referral_detail", referral.pk)
    elif data is None:
        user = _user(request)
        form.initial.update(referrer_name=user.display_name, referrer_email=user.email)
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


def _submit(
    request: HttpRequest, membership: Membership, form: Any, harmed: Any, responsible: Any
) -> Referral | None:
    program_id = membership.program_id
    data = form.cleaned_data
    agency = membership.agency if membership.agency_id else data.get("agency")
    try:
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
                harmed=[_party(f, program_id) for f in harmed.filled()],
                responsible=[_party(f, program_id) for f in responsible.filled()],
            ),
        )
    except ValidationError as error:
        _attach(form, error)
        return None


@program_view()
def referral_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not (membership.can("referrals.screen") or membership.can("referrals.follow_own")):
        raise Http404
    referrals = (
        referrals_visible_to(membership)
        .select_related("offence_category", "agency", "case")
        .order_by("-created_at")
    )
    status = request.GET.get("status", "")
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "statuses": Referral.Status.choices,
            "status": status,
            "query": f"status={status}" if status else "",
        },
    )


@program_view()
def referral_detail(request: HttpRequest, membership: Membership, referral_id: int) -> HttpResponse:
    referral = get_referral_for(membership, referral_id)
    if membership.can("cases.view_all"):
        return redirect(referral.case)
    return render(request, "cases/referral_detail.html", {"referral": referral})


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
            term = data["q"].strip()
            people = Participant.objects.filter(
                Q(person__given_name__icontains=term) | Q(person__family_name__icontains=term)
            ).values("case_id")
            cases = cases.filter(Q(reference__icontains=term) | Q(pk__in=people))
        if data["stage"]:
            cases = cases.filter(stage=data["stage"])
        if data["facilitator"]:
            cases = cases.filter(lead_facilitator=data["facilitator"])
        if data["offence_category"]:
            cases = cases.filter(offence_category=data["offence_category"])
        cases = within_dates(cases, "created_at", data["since"], data["until"])
    page = Paginator(prefetch_case_list(cases.order_by("-created_at")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def _step_indicator(case: Case) -> list[dict[str, Any]]:
    """The main path, with the steps the case actually went through marked complete."""
    stage = case.paused_from if case.stage == Stage.PAUSED else case.stage
    reached = MAIN_PATH.index(Stage(stage)) if stage in MAIN_PATH else 0
    if stage in ENDED:
        # An ended case completed only the steps before the one it ended from.
        last = case.stage_changes.order_by("-created_at", "-id").first()
        before = last.from_stage if last else Stage.REFERRAL
        if before == Stage.PAUSED:
            before = Stage.PREPARATION
        reached = MAIN_PATH.index(Stage(before)) + 1 if before in MAIN_PATH else 0
    steps = []
    for i, step in enumerate(MAIN_PATH):
        if stage in ENDED and step == Stage.CLOSED:
            state = "current"
        elif i < reached:
            state = "complete"
        elif i == reached and stage not in ENDED:
            state = "current"
        else:
            state = ""
        steps.append({"label": step.label, "state": state})
    return steps


@program_view()
def case_detail(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    user = _user(request)
    services.record_case_view(case=case, by=user)
    facts = case_facts(case)
    next_stage = NEXT.get(case.stage)
    blockers = what_blocks(facts, next_stage) if next_stage else []
    # In the process, the conditions for being there must still hold (time can end them).
    no_longer_safe = what_blocks(facts, Stage.PROCESS) if case.stage == Stage.PROCESS else []
    actions = [a for a in ACTIONS.values() if a.allowed(case, membership)]
    rows = []
    for participant in facts.participants:
        assessment = facts.assessment(participant)
        rows.append(
            {
                "participant": participant,
                "consents": [
                    (purpose, facts.consent(participant, purpose))
                    for purpose in case.program.consent_purposes
                ],
                "assessment": assessment,
                "minor": participant.person.is_minor,
            }
        )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "steps": _step_indicator(case),
            "next_stage": Stage(next_stage).label if next_stage else "",
            "next_stage_code": next_stage or "",
            "blockers": blockers,
            "no_longer_safe": no_longer_safe,
            "participants": rows,
            "primary_actions": [a for a in actions if a.primary],
            "other_actions": [a for a in actions if not a.primary],
            "timeline": timeline_for(case, notes_visible_to(membership, case)),
            "team": case.assignments.select_related("user"),
            "can_see_access": membership.can("cases.view_access_log"),
            # Contact details are for the people who contact participants, nobody else.
            "can_see_contact": membership.can("cases.work"),
        },
    )


@program_view()
@require_http_methods(["GET", "POST"])
def case_action(
    request: HttpRequest, membership: Membership, reference: str, action: str
) -> HttpResponse:
    case = get_case_for(membership, reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.allowed(case, membership):
        messages.error(request, _("That is not possible for this case now."))
        return redirect(case)
    form = spec.form(request.POST if request.method == "POST" else None, case=case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    message = spec.handler(form, case, _user(request))
            except services.StaleCase as error:
                form.add_error(None, " ".join(error.messages))
                status = 409
            except services.CaseRuleError as error:
                for sentence in error.messages:
                    form.add_error(None, sentence)
                status = 409
            except ValidationError as error:
                _attach(form, error)
                status = 400
            else:
                messages.success(request, message)
                return redirect(case)
        else:
            status = 400
    next_stage = NEXT.get(case.stage) if action == "forward" else None
    return render(
        request,
        "cases/case_action.html",
        {
            "case": case,
            "action": spec,
            "form": form,
            "title": (
                _("Move to %(stage)s") % {"stage": Stage(next_stage).label}
                if next_stage
                else spec.label
            ),
        },
        status=status,
    )


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@program_view("cases.view_access_log")
def case_access(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    views = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action="case.viewed"
    ).order_by("-occurred_at", "-id")
    page = Paginator(views, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_access.html", {"case": case, "page": page})

"""What a referrer follows: their referrals, what they sent, and adding to it. HTTP only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mend.accounts.models import User
from mend.cases import registry, services
from mend.cases.case_views import attach
from mend.cases.forms import ReferralFilterForm, ReferralMessageForm
from mend.cases.queries import (
    get_referral_for,
    referrals_visible_to,
    with_follow_status,
)
from mend.core import submissions
from mend.core.pagination import CappedPaginator
from mend.programs.access import program_view, refuse
from mend.programs.models import Membership

PAGE_SIZE = 25


@program_view()
def referral_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not (membership.can("referrals.screen") or membership.can("referrals.follow_own")):
        raise Http404
    form = ReferralFilterForm(request.GET or None, membership=membership)
    referrals = referrals_visible_to(membership)
    whose = "all"
    if form.is_valid():
        data = form.cleaned_data
        whose = data["whose"] or form.default_whose
        if data["q"]:
            referrals = referrals.filter(incident_reference__icontains=data["q"].strip())
        if data["status"]:
            referrals = with_follow_status(referrals, data["status"])
    else:
        whose = form.default_whose
    if whose == "mine":
        referrals = referrals.filter(submitted_by_id=membership.user_id)
    page = CappedPaginator(
        referrals.select_related("offence_category", "agency", "case").order_by("-created_at"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/referral_list.html",
        {
            "form": form,
            "page": page,
            "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@program_view()
def referral_detail(request: HttpRequest, membership: Membership, referral_id: int) -> HttpResponse:
    referral = get_referral_for(membership, referral_id)
    if membership.can("cases.view_all"):
        return redirect(referral.case)
    return _referral_page(request, membership, referral, ReferralMessageForm())


def _referral_page(
    request: HttpRequest,
    membership: Membership,
    referral: object,
    form: ReferralMessageForm,
    status: int = 200,
) -> HttpResponse:
    from mend.cases.models import Referral

    assert isinstance(referral, Referral)
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            # Only what the referrer themselves gave: nobody the program added later.
            "named": referral.case.participants.filter(named_in_referral=True)
            .select_related("person")
            .order_by("role", "id"),
            "sent_messages": referral.messages.select_related("author"),
            "handled_by": referral.case.lead_facilitator,
            "program": membership.program,
            "form": form,
            "can_add": membership.can("referrals.follow_own"),
            "sections": registry.referral_sections(referral, membership, request),
        },
        status=status,
    )


@program_view()
@require_POST
def add_referral_message(
    request: HttpRequest, membership: Membership, referral_id: int
) -> HttpResponse:
    referral = get_referral_for(membership, referral_id)  # another program's: 404
    if not membership.can("referrals.follow_own"):
        refuse(request, membership, "referrals.follow_own")
    form = ReferralMessageForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["submission"]
        user = request.user
        assert isinstance(user, User)
        try:
            with transaction.atomic():
                if submissions.claim(token, user=user):
                    services.add_referral_information(
                        referral=referral, body=form.cleaned_data["body"], by=user
                    )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, _("Thank you. The program has your message."))
            return redirect("cases:referral_detail", referral.pk)
    return _referral_page(request, membership, referral, form, status=400)

"""Program pages: the dashboard, the switcher, settings, people and roles, the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mend.accounts.forms import NewAccountForm
from mend.accounts.models import User
from mend.accounts.services import create_user, reset_password
from mend.core import audit_sentences
from mend.core.dashboard import panels_for
from mend.core.filters import within_dates
from mend.core.pagination import CappedPaginator
from mend.programs import services
from mend.programs.access import program_view
from mend.programs.audit_rows import audit_rows
from mend.programs.forms import AuditFilterForm, InvitationForm, SwitchProgramForm
from mend.programs.middleware import CURRENT_PROGRAM_KEY
from mend.programs.models import ConsentPurpose, Invitation, Membership, ProcessType, Program
from mend.programs.queries import (
    audit_events_of,
    can_reset_password,
    invitation_for,
    members_of,
    membership_for,
)

AUDIT_PAGE_SIZE = 50
logger = logging.getLogger(__name__)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership: Membership | None = getattr(request, "membership", None)
    panels = panels_for(membership) if membership else []
    return render(request, "programs/dashboard.html", {"membership": membership, "panels": panels})


@login_required
@require_POST
def switch_program(request: HttpRequest) -> HttpResponse:
    form = SwitchProgramForm(request.POST)
    if not form.is_valid():
        raise Http404
    membership = membership_for(request.user, form.cleaned_data["program"])  # type: ignore[arg-type]
    request.session[CURRENT_PROGRAM_KEY] = membership.program.slug
    messages.success(
        request, _("You are now working in %(program)s.") % {"program": membership.program.name}
    )
    return redirect("programs:dashboard")


@program_view("program.view_settings")
def program_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    can_configure = membership.can("program.configure")
    criteria = program.eligibility_criteria.all()
    categories = program.offence_categories.all()
    if not can_configure:
        criteria, categories = criteria.filter(is_active=True), categories.filter(is_active=True)
    return render(
        request,
        "programs/settings.html",
        {
            "program": program,
            "summary": settings_summary(program),
            "criteria": criteria,
            "categories": categories,
            "agencies": program.agencies.filter(is_active=True),
            "retention_rules": program.retention_rules.all(),
            "can_configure": can_configure,
        },
    )


def settings_summary(program: Program) -> list[dict[str, Any]]:
    """The rows of the settings summary: what each setting is now, and where to change it."""
    languages = dict(settings.LANGUAGES)
    days = program.assessment_validity_days
    working_days = program.rj_offer_deadline_working_days
    rows: list[tuple[str, str, Any, Any]] = [
        (
            "processes",
            "processes",
            _("Processes offered"),
            [ProcessType(code).label for code in program.offered_processes],
        ),
        (
            "purposes",
            "purposes",
            _("Consent asked"),
            [ConsentPurpose(code).label for code in program.offered_purposes],
        ),
        (
            "languages",
            "languages",
            _("Languages offered"),
            [languages[code] for code in program.offered_languages],
        ),
        (
            "assessment",
            "timing",
            _("Safety assessments stay current for"),
            ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
        ),
        (
            "offer_deadline",
            "timing",
            _("Restorative justice is offered within"),
            ngettext(
                "%(days)s working day of referral",
                "%(days)s working days of referral",
                working_days,
            )
            % {"days": working_days},
        ),
        ("time_zone", "time_zone", _("Time zone"), program.time_zone),
        (
            "mfa",
            "",
            _("Two-factor sign-in"),
            _("Required for everyone") if program.require_mfa else _("Optional"),
        ),
        ("phone", "contact", _("Contact telephone"), program.contact_phone),
        ("email", "contact", _("Contact e-mail"), program.contact_email),
    ]
    return [
        {
            "key": key,
            "url": reverse(f"programs:edit_{section}") if section else "",
            "name": name,
            "values": value if isinstance(value, list) else None,
            "value": "" if isinstance(value, list) else value,
        }
        for key, section, name, value in rows
    ]


@program_view("members.manage")
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = InvitationForm(request.POST if request.method == "POST" else None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, token = services.create_invitation(
                program=membership.program,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                agency=data["agency"],
                expires_on=data["expires_on"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            link = request.build_absolute_uri(reverse("programs:invitation", args=[token]))
            sent = _send_invitation(invitation, link)
            # Shown once, on this response only: never stored in a message or the session.
            # The same page whether or not the person already has an account.
            return render(
                request,
                "programs/invitation_created.html",
                {"invitation": invitation, "link": link, "sent": sent},
            )
    page = Paginator(members_of(membership), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/members.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _send_invitation(invitation: Invitation, link: str) -> bool:
    """E-mail the link when Mend has a mail server; the page shows it either way."""
    if not settings.MEND_SENDS_EMAIL:
        return False
    context = {"invitation": invitation, "link": link}
    try:
        send_mail(
            _("Your invitation to %(program)s in Mend") % {"program": invitation.program.name},
            render_to_string("programs/invitation_email.txt", context),
            None,
            [invitation.email],
        )
    except OSError:
        logger.warning("The invitation e-mail could not be sent (invitation %s).", invitation.pk)
        return False
    return True


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link leads: accept it signed in, or create an account here."""
    found = invitation_for(token)
    if found is None:
        return render(
            request, "programs/invitation_closed.html", {"problem": "unknown"}, status=404
        )
    problem = services.invitation_problem(found)
    if problem:
        return render(request, "programs/invitation_closed.html", {"problem": problem}, status=410)
    signed_in = request.user.is_authenticated
    account_form = NewAccountForm(
        request.POST if request.method == "POST" and not signed_in else None,
        full_name=found.full_name,
        email=found.email,
    )
    if request.method == "POST":
        if signed_in:
            user: User = request.user  # type: ignore[assignment]
            if _accept(request, found, user):
                request.session[CURRENT_PROGRAM_KEY] = found.program.slug
                messages.success(
                    request,
                    _("You now work in %(program)s as %(role)s.")
                    % {"program": found.program.name, "role": found.get_role_display()},
                )
                return redirect("programs:dashboard")
        elif account_form.is_valid():
            with transaction.atomic():
                user = create_user(
                    username=account_form.cleaned_data["username"],
                    password=account_form.cleaned_data["password1"],
                    full_name=found.full_name,
                    email=found.email,
                    by=None,
                )
                accepted = _accept(request, found, user)
                if not accepted:
                    transaction.set_rollback(True)
            if accepted:
                messages.success(
                    request,
                    _("Your account is ready. Sign in with your new username and password."),
                )
                return redirect(
                    f"{reverse('accounts:sign_in')}?next={reverse('programs:dashboard')}"
                )
    return render(
        request,
        "programs/invitation.html",
        {"invitation": found, "form": account_form, "signed_in": signed_in, "path": request.path},
        status=400 if account_form.errors else 200,
    )


def _accept(request: HttpRequest, found: Invitation, user: User) -> bool:
    try:
        services.accept_invitation(invitation=found, user=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


@program_view("members.manage")
@require_POST
def reset_member_password(
    request: HttpRequest, membership: Membership, member_id: int
) -> HttpResponse:
    target = get_object_or_404(members_of(membership), pk=member_id, ended_at__isnull=True)
    if not can_reset_password(target):
        messages.error(
            request,
            _(
                "%(user)s also works in another program, so only a platform "
                "administrator can reset their password."
            )
            % {"user": target.user},
        )
        return redirect("programs:members")
    password = reset_password(user=target.user, by=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "programs/temporary_password.html",
        {"person": target.user, "password": password},
    )


@program_view("members.manage")
@require_http_methods(["GET", "POST"])
def end_member(request: HttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    """GET asks to confirm; POST ends the role."""
    target = get_object_or_404(members_of(membership), pk=member_id, ended_at__isnull=True)
    if target.pk == membership.pk:
        messages.error(request, _("You cannot end your own role. Ask another administrator."))
        return redirect("programs:members")
    if request.method == "GET":
        return render(request, "programs/end_member.html", {"target": target})
    services.end_membership(membership=target, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(user)s's role was ended.") % {"user": target.user})
    return redirect("programs:members")


@program_view("audit.view")
def audit_log(request: HttpRequest, membership: Membership) -> HttpResponse:
    events = audit_events_of(membership)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(audit_sentences.in_group(data["kind"]))
        if data["who"]:
            events = events.filter(actor_label__iexact=data["who"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        events = within_dates(events, "occurred_at", data["since"], data["until"])
    page = CappedPaginator(
        events.select_related("actor").order_by("-occurred_at", "-id"), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list, membership),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )

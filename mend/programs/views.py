"""Program pages: the dashboard, the switcher, settings, people and roles, the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mend.accounts.models import User
from mend.accounts.services import create_user, reset_password
from mend.core.dashboard import panels_for
from mend.core.filters import within_dates
from mend.core.models import AuditEvent
from mend.programs import services
from mend.programs.access import program_view
from mend.programs.forms import (
    AuditFilterForm,
    MembershipForm,
    NewPersonForm,
    RoleFields,
    SwitchProgramForm,
)
from mend.programs.middleware import CURRENT_PROGRAM_KEY
from mend.programs.models import ConsentPurpose, Membership, ProcessType, Program
from mend.programs.queries import can_reset_password, members_of, membership_for

AUDIT_PAGE_SIZE = 50


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
    action = request.POST.get("action") if request.method == "POST" else None
    grant_form = MembershipForm(request.POST if action == "grant" else None, membership=membership)
    new_form = NewPersonForm(
        request.POST if action == "create" else None, membership=membership, prefix="new"
    )
    by: User = request.user  # type: ignore[assignment]
    if action == "grant" and grant_form.is_valid():
        user: User = grant_form.cleaned_data["username"]
        if _save_role(grant_form, user, membership, by):
            messages.success(request, _("%(user)s's role was saved.") % {"user": user})
            return redirect("programs:members")
    elif action == "create" and new_form.is_valid():
        data = new_form.cleaned_data
        with transaction.atomic():
            user = create_user(
                username=data["new_username"],
                password=None,
                full_name=data["full_name"],
                email=data["email"],
                by=by,
            )
            saved = _save_role(new_form, user, membership, by)
            if saved:
                password = reset_password(user=user, by=by)
            else:
                transaction.set_rollback(True)
        if saved:
            # Shown once, on this response only: never stored in a message or the session.
            return render(
                request,
                "programs/temporary_password.html",
                {"person": user, "password": password, "created": True},
            )
    page = Paginator(members_of(membership), 50).get_page(request.GET.get("page"))
    has_errors = bool(grant_form.errors or new_form.errors)
    return render(
        request,
        "programs/members.html",
        {"form": grant_form, "new_form": new_form, "page": page},
        status=400 if has_errors else 200,
    )


def _save_role(form: RoleFields, user: User, membership: Membership, by: User) -> bool:
    try:
        services.grant_membership(
            user=user,
            program=membership.program,
            role=form.cleaned_data["role"],
            agency=form.cleaned_data["agency"],
            expires_on=form.cleaned_data["expires_on"],
            by=by,
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
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
        {"person": target.user, "password": password, "created": False},
    )


@program_view("members.manage")
@require_POST
def end_member(request: HttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    target = get_object_or_404(members_of(membership), pk=member_id, ended_at__isnull=True)
    if target.pk == membership.pk:
        messages.error(request, _("You cannot end your own role. Ask another administrator."))
    else:
        services.end_membership(membership=target, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("%(user)s's role was ended.") % {"user": target.user})
    return redirect("programs:members")


@program_view("audit.view")
def audit_log(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    members = Membership.objects.filter(program=program).values("user_id")
    # The program's own events, plus sign-in and account events of the people in it.
    events: QuerySet[AuditEvent] = AuditEvent.objects.filter(
        Q(program=program) | Q(program__isnull=True, actor_id__in=members)
    )
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__icontains=data["action"])
        if data["who"]:
            events = events.filter(actor_label__iexact=data["who"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        events = within_dates(events, "occurred_at", data["since"], data["until"])
    page = Paginator(events.order_by("-occurred_at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )

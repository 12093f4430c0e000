"""Re-offending follow-up pages: the queue of due checks, recording a result, importing
incidents and reviewing the matches suggested, and the program's windows. HTTP only: the
writes are in reoffending_services and reoffending_import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mend.accounts.models import User
from mend.core import submissions
from mend.core.forms import Form
from mend.outcomes import reoffending_import, reoffending_services
from mend.outcomes.models import (
    IncidentImport,
    MatchSuggestion,
    ReoffendingCheck,
    settings_of,
)
from mend.outcomes.periods import program_today
from mend.outcomes.reoffending_checks import create_missing_checks
from mend.outcomes.reoffending_forms import (
    DecideForm,
    FollowUpMonthsForm,
    ImportForm,
    ResultForm,
)
from mend.outcomes.reoffending_measures import all_time, rate
from mend.programs.access import program_view
from mend.programs.models import Membership
from mend.programs.settings_views import show_errors

QUEUE_LIMIT = 200


def _save(form: Form, request: HttpRequest, save: Callable[[], object]) -> int:
    """Save once: 0 when saved (or saved before, by the same form), else the error status."""
    by: User = request.user  # type: ignore[assignment]
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=by):
                messages.info(request, _("This was already saved."))
                return 0
            save()
    except ValidationError as error:
        show_errors(form, error)  # type: ignore[arg-type]
        return 409 if getattr(error, "code", None) == reoffending_services.STALE else 400
    return 0


@program_view("reoffending.record")
@require_GET
def queue(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    today = program_today(program)
    due = (
        ReoffendingCheck.objects.filter(program=program, result="", due_on__lte=today)
        .select_related("participant__person", "participant__case")
        .order_by("due_on", "id")
    )
    months = settings_of(program).follow_up_months
    return render(
        request,
        "outcomes/reoffending/queue.html",
        {
            "due": due[:QUEUE_LIMIT],
            "due_count": due.count(),
            "limit": QUEUE_LIMIT,
            "rates": [rate(program, all_time(program, today), m) for m in months],
            "can_configure": membership.can("program.configure"),
        },
    )


def _record(request: HttpRequest, check: ReoffendingCheck, data: dict[str, Any]) -> None:
    reoffending_services.record_result(
        check=check,
        result=data["result"],
        by=request.user,  # type: ignore[arg-type]
        expected_version=data["version"],
        offence_date=data["offence_date"],
        category=data["category"],
        source_reference=data["source_reference"],
    )
    messages.success(request, _("The result was recorded."))


@program_view("reoffending.record")
@require_http_methods(["GET", "POST"])
def check_page(request: HttpRequest, membership: Membership, check_id: int) -> HttpResponse:
    check = get_object_or_404(
        ReoffendingCheck.objects.filter(program=membership.program).select_related(
            "participant__person", "participant__case", "offence_category"
        ),
        pk=check_id,
    )
    form = ResultForm(request.POST or None, check=check)
    status = 0
    if form.is_valid():
        data = form.cleaned_data
        status = _save(
            form,
            request,
            lambda: _record(request, check, data),
        )
        if not status:
            return redirect("outcomes:reoffending")
    others = check.participant.reoffending_checks.exclude(pk=check.pk).order_by("months")
    return render(
        request,
        "outcomes/reoffending/check.html",
        {"check": check, "form": form, "others": others},
        status=status or (400 if form.errors else 200),
    )


@program_view("reoffending.record")
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            by: User = request.user  # type: ignore[assignment]
            try:
                with transaction.atomic():
                    if not submissions.claim(form.cleaned_data["submission"], user=by):
                        messages.info(request, _("This file was already imported."))
                        return redirect("outcomes:reoffending_imports")
                    batch = reoffending_import.import_incidents(
                        program=membership.program,
                        upload=upload,
                        file_name=upload.name or "",
                        by=by,
                    )
            except ValidationError as error:
                problems = error.messages
            else:
                suggested = MatchSuggestion.objects.filter(incident__batch=batch).count()
                messages.success(
                    request,
                    ngettext(
                        "The file was imported: %(count)s match to review.",
                        "The file was imported: %(count)s matches to review.",
                        suggested,
                    )
                    % {"count": suggested},
                )
                return redirect("outcomes:reoffending_import", import_id=batch.pk)
    batches = IncidentImport.objects.filter(program=membership.program).select_related(
        "imported_by"
    )[:50]
    return render(
        request,
        "outcomes/reoffending/imports.html",
        {"form": form, "problems": problems, "batches": batches},
        status=status,
    )


def _suggestions_of(batch: IncidentImport) -> list[MatchSuggestion]:
    return list(
        MatchSuggestion.objects.filter(incident__batch=batch)
        .select_related("incident", "participant__person", "participant__case")
        .order_by("incident__line", "id")
    )


@program_view("reoffending.record")
@require_GET
def import_page(request: HttpRequest, membership: Membership, import_id: int) -> HttpResponse:
    batch = get_object_or_404(IncidentImport, program=membership.program, pk=import_id)
    suggestions = _suggestions_of(batch)
    return render(
        request,
        "outcomes/reoffending/import.html",
        {
            "batch": batch,
            "rows": [(s, DecideForm(version=s.version)) for s in suggestions],
            "incident_count": batch.incidents.count(),
        },
    )


@program_view("reoffending.record")
@require_POST
def decide(request: HttpRequest, membership: Membership, suggestion_id: int) -> HttpResponse:
    suggestion = get_object_or_404(
        MatchSuggestion.objects.select_related("incident__batch"),
        incident__batch__program=membership.program,
        pk=suggestion_id,
    )
    batch_id = suggestion.incident.batch_id
    form = DecideForm(request.POST, version=suggestion.version)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or reject the match, then try again."))
        return redirect("outcomes:reoffending_import", import_id=batch_id)
    by: User = request.user  # type: ignore[assignment]
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=by):
                messages.info(request, _("This was already saved."))
                return redirect("outcomes:reoffending_import", import_id=batch_id)
            if confirm:
                written = reoffending_import.confirm_suggestion(
                    suggestion=suggestion, by=by, expected_version=form.cleaned_data["version"]
                )
            else:
                reoffending_import.reject_suggestion(
                    suggestion=suggestion, by=by, expected_version=form.cleaned_data["version"]
                )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("outcomes:reoffending_import", import_id=batch_id)
    if confirm:
        messages.success(
            request,
            ngettext(
                "Match confirmed: a new offence was recorded on %(count)s check.",
                "Match confirmed: a new offence was recorded on %(count)s checks.",
                len(written),
            )
            % {"count": len(written)},
        )
    else:
        messages.success(request, _("Match rejected: nothing was recorded."))
    return redirect("outcomes:reoffending_import", import_id=batch_id)


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def windows(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = settings_of(membership.program)
    form = FollowUpMonthsForm(
        request.POST or None, months=list(current.follow_up_months), version=current.version
    )
    status = 0
    if form.is_valid():
        data = form.cleaned_data
        status = _save(
            form,
            request,
            lambda: reoffending_services.update_follow_up_months(
                program=membership.program,
                months=data["follow_up_months"],
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
            ),
        )
        if not status:
            made = create_missing_checks(membership.program)
            messages.success(
                request,
                ngettext(
                    "The months were saved; %(count)s check was added for cases already completed.",
                    "The months were saved; %(count)s checks were added for cases already "
                    "completed.",
                    made,
                )
                % {"count": made},
            )
            return redirect("outcomes:reoffending_windows")
    return render(
        request,
        "outcomes/reoffending/windows.html",
        {"form": form},
        status=status or (400 if form.errors else 200),
    )

"""The program's community service placements, and each placement's verification link.

Coordinators and program administrators keep the list; the staff and volunteers who
follow community service read it. HTTP only: writes go through placement_services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mend.accounts.models import User
from mend.agreements import placement_services
from mend.agreements.models import Placement
from mend.agreements.placement_forms import PlacementForm, RetireForm, schedule_formset
from mend.agreements.placement_queries import placements_of
from mend.core import submissions
from mend.core.forms import Form
from mend.processes.models import Availability
from mend.programs.access import program_view
from mend.programs.models import Membership
from mend.programs.settings_views import show_errors


def _save(form: Form, request: HttpRequest, save: Callable[[], object], done: str) -> int:
    """Save once: 0 when saved (or saved before, by the same form), else the error status."""
    by: User = request.user  # type: ignore[assignment]
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=by):
                messages.info(request, _("This was already saved."))
                return 0
            save()
    except ValidationError as error:
        if hasattr(error, "error_dict") and "schedule" in error.error_dict:
            # The schedule's rows are a formset: its refusal is said at the top.
            for message in error.error_dict.pop("schedule"):
                form.add_error(None, message.message % (message.params or {}))
        show_errors(form, error)  # type: ignore[arg-type]
        return 409 if getattr(error, "code", None) == placement_services.STALE else 400
    messages.success(request, done)
    return 0


def schedule_text(schedule: list[dict[str, Any]]) -> list[str]:
    """The weekly schedule in words: "Saturday, 09:00 to 13:00"."""
    return [
        _("%(day)s, %(start)s to %(end)s")
        % {
            "day": Availability.Weekday(row["weekday"]).label,
            "start": row["from"],
            "end": row["until"],
        }
        for row in schedule
    ]


@program_view("placements.view")
@require_http_methods(["GET"])
def placements(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = [
        {"placement": placement, "schedule": schedule_text(placement.schedule)}
        for placement in placements_of(membership)
    ]
    return render(
        request,
        "agreements/placements.html",
        {
            "rows": rows,
            "can_manage": membership.can("placements.manage"),
            "zone": membership.program.time_zone,
        },
    )


def _page(
    request: HttpRequest,
    membership: Membership,
    placement: Placement | None,
    form: PlacementForm,
    schedule: Any,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "agreements/placement_form.html",
        {
            "form": form,
            "schedule": schedule,
            "placement": placement,
            "title": _("Change a placement") if placement else _("Add a placement"),
            "action_form": RetireForm(version=placement.version) if placement else None,
            "zone": membership.program.time_zone,
        },
        status=status or (400 if form.errors or schedule.total_error_count() else 200),
    )


def _edit(request: HttpRequest, membership: Membership, placement: Placement | None) -> Any:
    """Add a placement (None) or change one: one form and its schedule, one service each."""
    version = placement.version if placement is not None else membership.program.version
    data = request.POST or None
    form = PlacementForm(data, placement=placement, version=version)
    schedule = schedule_formset(data, placement)
    status = 0
    # Both are checked (no short-circuit), so every error shows at once.
    if data is not None and form.is_valid() & schedule.is_valid():
        fields: dict[str, Any] = {
            "details": form.details(),
            "schedule": schedule.rows(),
            "by": request.user,
            "expected_version": form.cleaned_data["version"],
        }
        status = _save(
            form,
            request,
            (
                (lambda: placement_services.add_placement(program=membership.program, **fields))
                if placement is None
                else (lambda: placement_services.change_placement(placement=placement, **fields))
            ),
            _("The placement is added.") if placement is None else _("The placement is saved."),
        )
        if not status:
            return redirect("agreements:placements")
    return _page(request, membership, placement, form, schedule, status)


@program_view("placements.manage")
@require_http_methods(["GET", "POST"])
def add_placement(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _edit(request, membership, None)  # type: ignore[no-any-return]


@program_view("placements.manage")
@require_http_methods(["GET", "POST"])
def change_placement(
    request: HttpRequest, membership: Membership, placement_id: int
) -> HttpResponse:
    placement = get_object_or_404(placements_of(membership), pk=placement_id)
    return _edit(request, membership, placement)  # type: ignore[no-any-return]


def _act(
    request: HttpRequest,
    membership: Membership,
    placement_id: int,
    act: Callable[[Placement, User, int], object],
    done: str,
) -> HttpResponse | tuple[Placement, Any]:
    """Run one of the buttons of a placement's page; on refusal, its page with the reason."""
    placement = get_object_or_404(placements_of(membership), pk=placement_id)
    form = RetireForm(request.POST, version=placement.version)
    by: User = request.user  # type: ignore[assignment]
    if not form.is_valid():
        return redirect("agreements:change_placement", placement_id=placement.pk)
    result: Any = None

    def run() -> None:
        nonlocal result
        result = act(placement, by, form.cleaned_data["version"])

    status = _save(form, request, run, done)
    if not status:
        return placement, result
    blank = PlacementForm(None, placement=placement, version=placement.version)
    for message in form.non_field_errors():
        blank.add_error(None, message)
    return _page(request, membership, placement, blank, schedule_formset(None, placement), status)


@program_view("placements.manage")
@require_POST
def retire_placement(
    request: HttpRequest, membership: Membership, placement_id: int
) -> HttpResponse:
    outcome = _act(
        request,
        membership,
        placement_id,
        lambda p, by, v: placement_services.retire_placement(
            placement=p, by=by, expected_version=v
        ),
        _("The placement is retired: it is no longer offered for new terms."),
    )
    if isinstance(outcome, HttpResponse):
        return outcome
    return redirect("agreements:placements")


@program_view("placements.manage")
@require_POST
def make_link(request: HttpRequest, membership: Membership, placement_id: int) -> HttpResponse:
    outcome = _act(
        request,
        membership,
        placement_id,
        lambda p, by, v: placement_services.make_verify_link(
            placement=p, by=by, expected_version=v
        ),
        _("The placement's verification link is made. Any earlier link no longer works."),
    )
    if isinstance(outcome, HttpResponse):
        return outcome
    placement, result = outcome
    if result is None:
        # The same form sent twice: the link was shown the first time, and only then.
        return redirect("agreements:change_placement", placement_id=placement.pk)
    _placement, token = result
    # Shown once, on this response only: never stored in a message or the session.
    url = request.build_absolute_uri(reverse("agreements:verify_hours", args=[token]))
    return render(request, "agreements/placement_link.html", {"placement": placement, "url": url})


@program_view("placements.manage")
@require_POST
def revoke_link(request: HttpRequest, membership: Membership, placement_id: int) -> HttpResponse:
    outcome = _act(
        request,
        membership,
        placement_id,
        lambda p, by, v: placement_services.revoke_verify_link(
            placement=p, by=by, expected_version=v
        ),
        _("The placement's verification link no longer works."),
    )
    if isinstance(outcome, HttpResponse):
        return outcome
    return redirect("agreements:change_placement", placement_id=placement_id)

"""The rooms of a program, and each staff member's weekly available times.

Coordinators and program administrators keep the list of rooms; facilitators read it,
to know where they can meet. Everyone who leads meetings keeps their own available times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mend.accounts.models import User
from mend.core import submissions
from mend.core.forms import Form
from mend.processes import venue_services
from mend.processes.models import Venue
from mend.processes.queries import availability_of, venues_of
from mend.processes.venue_forms import AvailabilityForm, RemoveForm, VenueForm
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
        show_errors(form, error)  # type: ignore[arg-type]
        return 409 if getattr(error, "code", None) == venue_services.STALE else 400
    messages.success(request, done)
    return 0


@program_view("cases.work")
@require_http_methods(["GET"])
def venues(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "processes/venues.html",
        {
            "venues": list(venues_of(membership)),
            "can_manage": membership.can("venues.manage"),
            "remove_form": RemoveForm(version=0),
        },
    )


def _venue_page(
    request: HttpRequest, membership: Membership, venue: Any, form: VenueForm, status: int
) -> HttpResponse:
    title = _("Change a room") if venue else _("Add a room")
    return render(
        request,
        "processes/venue_form.html",
        {
            "form": form,
            "venue": venue,
            "title": title,
            "retire_form": RemoveForm(version=venue.version) if venue else None,
        },
        status=status or (400 if form.errors else 200),
    )


def _edit_venue(request: HttpRequest, membership: Membership, venue: Venue | None) -> HttpResponse:
    """Add a room (venue None) or change one: one form, one page, the service for each."""
    version = venue.version if venue is not None else membership.program.version
    form = VenueForm(request.POST or None, venue=venue, version=version)
    status = 0
    if form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "capacity": data["capacity"],
            "access_notes": data["access_notes"],
            "by": request.user,
            "expected_version": data["version"],
        }
        status = _save(
            form,
            request,
            (
                (lambda: venue_services.add_venue(program=membership.program, **fields))
                if venue is None
                else (lambda: venue_services.change_venue(venue=venue, **fields))
            ),
            _("The room is added.") if venue is None else _("The room is saved."),
        )
        if not status:
            return redirect("processes:venues")
    return _venue_page(request, membership, venue, form, status)


@program_view("venues.manage")
@require_http_methods(["GET", "POST"])
def add_venue(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _edit_venue(request, membership, None)


@program_view("venues.manage")
@require_http_methods(["GET", "POST"])
def change_venue(request: HttpRequest, membership: Membership, venue_id: int) -> HttpResponse:
    return _edit_venue(request, membership, get_object_or_404(venues_of(membership), pk=venue_id))


@program_view("venues.manage")
@require_POST
def retire_venue(request: HttpRequest, membership: Membership, venue_id: int) -> HttpResponse:
    venue = get_object_or_404(venues_of(membership), pk=venue_id)
    form = RemoveForm(request.POST, version=venue.version)
    if form.is_valid():
        status = _save(
            form,
            request,
            lambda: venue_services.retire_venue(
                venue=venue,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
            ),
            _("The room is retired: it is no longer offered for new meetings."),
        )
        if not status:
            return redirect("processes:venues")
        blank = VenueForm(None, venue=venue, version=venue.version)
        for message in form.non_field_errors():
            blank.add_error(None, message)
        return _venue_page(request, membership, venue, blank, status)
    return redirect("processes:change_venue", venue_id=venue.pk)


def _availability_page(
    request: HttpRequest, membership: Membership, form: AvailabilityForm | None, status: int = 0
) -> HttpResponse:
    slots = list(availability_of(membership))
    form = form or AvailabilityForm(version=len(slots))
    return render(
        request,
        "processes/availability.html",
        {
            "slots": slots,
            "form": form,
            "remove_form": RemoveForm(version=len(slots)),
            "zone": membership.program.time_zone,
        },
        status=status or (400 if form.errors else 200),
    )


@program_view("cases.work")
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method != "POST":
        return _availability_page(request, membership, None)
    form = AvailabilityForm(request.POST, version=availability_of(membership).count())
    status = 0
    if form.is_valid():
        data = form.cleaned_data
        status = _save(
            form,
            request,
            lambda: venue_services.add_availability(
                user=request.user,  # type: ignore[arg-type]
                program=membership.program,
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
            ),
            _("The time is added."),
        )
        if not status:
            return redirect("processes:availability")
    return _availability_page(request, membership, form, status)


@program_view("cases.work")
@require_POST
def remove_availability(request: HttpRequest, membership: Membership, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(availability_of(membership), pk=slot_id)
    form = RemoveForm(request.POST, version=0)
    if form.is_valid():
        status = _save(
            form,
            request,
            lambda: venue_services.remove_availability(
                slot=slot,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
            ),
            _("The time is removed."),
        )
        if status:
            messages.error(request, " ".join(str(m) for m in form.non_field_errors()))
    else:
        messages.error(request, " ".join(str(m) for m in form.non_field_errors()))
    return redirect("processes:availability")

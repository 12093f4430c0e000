"""The program settings pages: one small form per section of /program/.

Program administrators only ("program.configure"). Each form saves through one service,
which checks the version the form was opened on; a failed save changes nothing and says
why next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.core import submissions
from mend.programs import services
from mend.programs.access import program_view
from mend.programs.models import Membership
from mend.programs.queries import eligibility_criteria_of, offence_categories_of
from mend.programs.settings_forms import (
    CategoryForm,
    ContactForm,
    CriterionForm,
    LanguagesForm,
    ProcessesForm,
    PurposesForm,
    RetentionForm,
    SettingsForm,
    TimeZoneForm,
    TimingForm,
)


@dataclass(frozen=True)
class Section:
    form: type[SettingsForm]
    title: Promise
    save: Callable[[SettingsForm, User], object]


def _program_settings(form: SettingsForm, by: User) -> object:
    return services.update_program_settings(
        program=form.program,
        by=by,
        expected_version=form.cleaned_data["version"],
        **form.changes(),
    )


def _retention(form: SettingsForm, by: User) -> object:
    return services.update_retention(
        program=form.program,
        by=by,
        expected_version=form.cleaned_data["version"],
        months=form.changes(),
    )


SECTIONS: dict[str, Section] = {
    "processes": Section(ProcessesForm, gettext_lazy("Processes offered"), _program_settings),
    "purposes": Section(PurposesForm, gettext_lazy("Consent asked"), _program_settings),
    "languages": Section(LanguagesForm, gettext_lazy("Languages offered"), _program_settings),
    "timing": Section(TimingForm, gettext_lazy("Time limits"), _program_settings),
    "time_zone": Section(TimeZoneForm, gettext_lazy("Time zone"), _program_settings),
    "contact": Section(
        ContactForm, gettext_lazy("How referrers contact the program"), _program_settings
    ),
    "retention": Section(RetentionForm, gettext_lazy("How long records are kept"), _retention),
}


def show_errors(form: SettingsForm, error: ValidationError) -> None:
    """The service's refusal, on the form: next to the field it is about, or at the top."""
    by_field = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    for field, errors in by_field.items():
        target = field if field in form.fields and field != "version" else None
        for message in errors:
            form.add_error(None if field == NON_FIELD_ERRORS else target, message)


def _form_page(
    request: HttpRequest, form: SettingsForm, title: Any, status: int | None = None
) -> HttpResponse:
    return render(
        request,
        "programs/settings_form.html",
        {"form": form, "title": title},
        status=status or (400 if form.errors else 200),
    )


def _save(form: SettingsForm, request: HttpRequest, save: Callable[[], object]) -> int:
    """Save once: 0 when saved (or saved before, by the same form), else the error status."""
    token = form.cleaned_data["submission"]
    by: User = request.user  # type: ignore[assignment]
    try:
        with transaction.atomic():
            if not submissions.claim(token, user=by):
                messages.info(request, _("This was already saved."))
                return 0
            save()
    except ValidationError as error:
        show_errors(form, error)
        return 409 if getattr(error, "code", None) == "stale" else 400
    messages.success(request, _("The settings were saved."))
    return 0


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def edit_section(request: HttpRequest, membership: Membership, section: str) -> HttpResponse:
    spec = SECTIONS.get(section)
    if spec is None:
        raise Http404
    program = membership.program
    form = spec.form(request.POST or None, program=program)
    by: User = request.user  # type: ignore[assignment]
    status = None
    if form.is_valid():
        status = _save(form, request, lambda: spec.save(form, by))
        if not status:
            return redirect("programs:settings")
    return _form_page(request, form, spec.title, status)


def _edit_listed(
    request: HttpRequest, record: Any, form: Any, add: Any, change: Any, titles: tuple[str, str]
) -> HttpResponse:
    """Add or change an offence category or eligibility criterion through its services."""
    by: User = request.user  # type: ignore[assignment]
    status = None
    if form.is_valid():
        version = form.cleaned_data["version"]
        changes = form.changes()

        def save() -> object:
            if record is None:
                return add(program=form.program, by=by, expected_version=version, **changes)
            return change(record, by=by, expected_version=version, **changes)

        status = _save(form, request, save)
        if not status:
            return redirect("programs:settings")
    return _form_page(request, form, titles[0] if record else titles[1], status)


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def edit_category(
    request: HttpRequest, membership: Membership, category_id: int | None = None
) -> HttpResponse:
    category = None
    if category_id is not None:
        category = get_object_or_404(offence_categories_of(membership), pk=category_id)
    form = CategoryForm(request.POST or None, program=membership.program, category=category)
    return _edit_listed(
        request,
        category,
        form,
        services.add_offence_category,
        lambda record, **kwargs: services.change_offence_category(category=record, **kwargs),
        (_("Change an offence category"), _("Add an offence category")),
    )


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def edit_criterion(
    request: HttpRequest, membership: Membership, criterion_id: int | None = None
) -> HttpResponse:
    criterion = None
    if criterion_id is not None:
        criterion = get_object_or_404(eligibility_criteria_of(membership), pk=criterion_id)
    form = CriterionForm(request.POST or None, program=membership.program, criterion=criterion)
    return _edit_listed(
        request,
        criterion,
        form,
        services.add_eligibility_criterion,
        lambda record, **kwargs: services.change_eligibility_criterion(criterion=record, **kwargs),
        (_("Change an eligibility criterion"), _("Add an eligibility criterion")),
    )

"""The reporting settings page. HTTP only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mend.core import submissions
from mend.outcomes import settings_services
from mend.outcomes.models import settings_of
from mend.outcomes.settings_forms import ReportingSettingsForm
from mend.programs.access import program_view
from mend.programs.models import Membership
from mend.programs.settings_views import show_errors


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def reporting_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = settings_of(membership.program)
    form = ReportingSettingsForm(request.POST or None, current=current)
    status = 400 if form.errors else 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if submissions.claim(data["submission"], user=request.user):  # type: ignore[arg-type]
                    settings_services.update_reporting_settings(
                        program=membership.program,
                        by=request.user,  # type: ignore[arg-type]
                        expected_version=data["version"],
                        suppression_threshold=data["suppression_threshold"],
                        publish_trends=data["publish_trends"],
                    )
        except ValidationError as error:
            show_errors(form, error)  # type: ignore[arg-type]
            status = 409 if error.code == settings_services.STALE else 400
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("outcomes:settings")
    public = reverse("outcomes:public_trends", args=[membership.program.slug])
    return render(
        request,
        "outcomes/settings.html",
        {"form": form, "public_address": request.build_absolute_uri(public), "current": current},
        status=status,
    )

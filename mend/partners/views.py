"""Program administrators manage the API keys and status webhooks partner systems use."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mend.accounts.models import User
from mend.partners import services
from mend.partners import webhooks as webhook_services
from mend.partners.forms import ApiKeyForm, WebhookEndpointForm
from mend.partners.queries import deliveries_of, endpoints_of, keys_of
from mend.programs.access import program_view
from mend.programs.models import Membership, Program

PAGE_SIZE = 50


def _end_of_day(day: date, program: Program) -> datetime:
    """The moment `day` ends where the program works."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=zoneinfo.ZoneInfo(program.time_zone)
    )


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ApiKeyForm(request.POST if request.method == "POST" else None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by: User = request.user  # type: ignore[assignment]
        try:
            key, key_text = services.create_api_key(
                program=membership.program,
                agency=data["agency"],
                name=data["name"],
                scopes=data["scopes"],
                expires_at=(
                    _end_of_day(data["expires_on"], membership.program)
                    if data["expires_on"]
                    else None
                ),
                by=by,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                name = "expires_on" if field == "expires_at" else field
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            # Shown once, on this response only: never stored in a message or the session.
            return render(
                request, "partners/api_key_created.html", {"key": key, "key_text": key_text}
            )
    page = Paginator(keys_of(membership), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/api_keys.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@program_view("program.configure")
@require_POST
def revoke_api_key(request: HttpRequest, membership: Membership, key_id: int) -> HttpResponse:
    key = get_object_or_404(keys_of(membership), pk=key_id)
    if key.revoked_at is None:
        services.revoke_api_key(key=key, by=request.user)  # type: ignore[arg-type]
        messages.success(
            request,
            _("The key %(prefix)s no longer works.") % {"prefix": key.prefix},
        )
    return redirect("partners:api_keys")


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = WebhookEndpointForm(
        request.POST if request.method == "POST" else None, membership=membership
    )
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_services.register_endpoint(
                program=membership.program,
                agency=form.cleaned_data["agency"],
                url=form.cleaned_data["url"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                name = "expires_on" if field == "expires_at" else field
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            # The secret is shown on this response only.
            return render(request, "partners/webhook_created.html", {"endpoint": endpoint})
    page = Paginator(deliveries_of(membership), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/webhooks.html",
        {
            "form": form,
            "endpoints": endpoints_of(membership).filter(is_active=True),
            "page": page,
        },
        status=400 if form.errors else 200,
    )


@program_view("program.configure")
@require_POST
def deactivate_webhook(
    request: HttpRequest, membership: Membership, endpoint_id: int
) -> HttpResponse:
    endpoint = get_object_or_404(endpoints_of(membership), pk=endpoint_id)
    if endpoint.is_active:
        webhook_services.deactivate_endpoint(endpoint=endpoint, by=request.user)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Mend no longer sends status changes to %(url)s.") % {"url": endpoint.url},
        )
    return redirect("partners:webhooks")

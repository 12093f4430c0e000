"""The placement's verification page, opened from its private link with no sign-in.

Anything but a working link is a 404. The page is never cached, indexed, or sent on as a
referrer to another site (the token is in its address). Its forms carry Django's CSRF
token, like every other form, and each confirmation is one transaction through
hours.verify_session.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from mend.agreements import verification
from mend.agreements.models import Placement
from mend.agreements.placement_forms import ConfirmForm, FlagForm
from mend.cases.services.base import CaseRuleError


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    # Never to another site; "no-referrer" would also blank the Origin of the page's own
    # forms, which Django's CSRF check then refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _placement(token: str) -> Placement:
    placement = verification.placement_for(token)
    if placement is None:
        raise Http404
    return placement


def _refused(form: ConfirmForm | FlagForm, error: CaseRuleError | ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@require_http_methods(["GET", "POST"])
def verify_hours(request: HttpRequest, token: str) -> HttpResponse:
    placement = _placement(token)
    rows = [verification.shown(session) for session in verification.awaiting(placement)]
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        choices=[(row.pk, str(row.pk)) for row in rows],
        initial={"name": placement.contact_name},
    )
    status = 200
    if form.is_valid():
        try:
            done = verification.confirm(
                placement=placement,
                session_ids=form.cleaned_data["sessions"],
                name=form.cleaned_data["name"],
            )
        except (CaseRuleError, ValidationError) as error:
            _refused(form, error)
            status = 409
        else:
            messages.success(
                request,
                ngettext(
                    "Thank you: %(count)s session is confirmed.",
                    "Thank you: %(count)s sessions are confirmed.",
                    done,
                )
                % {"count": done},
            )
            return _private(redirect(request.path))
    elif form.is_bound:
        status = 400
    chosen = {str(value) for value in (form["sessions"].value() or [])}
    return _private(
        render(
            request,
            "agreements/verify_hours.html",
            {"placement": placement, "rows": rows, "form": form, "chosen": chosen, "token": token},
            status=status,
        )
    )


@require_http_methods(["GET", "POST"])
def flag_session(request: HttpRequest, token: str, session_id: int) -> HttpResponse:
    placement = _placement(token)
    session = verification.awaiting(placement).filter(pk=session_id).first()
    if session is None:
        raise Http404
    form = FlagForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            verification.flag(
                placement=placement,
                session=session,
                problem=form.cleaned_data["problem"],
                name=form.cleaned_data["name"],
            )
        except (CaseRuleError, ValidationError) as error:
            _refused(form, error)
            status = 409
        else:
            messages.success(
                request,
                _(
                    "Thank you: the program is told the session is wrong, and will be in "
                    "touch. Its hours are not counted until they are put right."
                ),
            )
            return _private(redirect("agreements:verify_hours", token=token))
    elif form.is_bound:
        status = 400
    return _private(
        render(
            request,
            "agreements/flag_session.html",
            {
                "placement": placement,
                "row": verification.shown(session),
                "form": form,
                "token": token,
            },
            status=status,
        )
    )

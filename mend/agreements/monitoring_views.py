"""The monitoring page: every agreement in force, how its terms are going. HTTP only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from mend.agreements.monitoring import monitoring_rows, program_today, soon_days
from mend.agreements.monitoring_forms import MonitoringFilterForm, default_monitor
from mend.agreements.progress import hours
from mend.programs.access import program_view
from mend.programs.models import Membership

PAGE_SIZE = 25


@program_view()
@require_GET
def monitoring(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not (membership.can("cases.view_all") or membership.can("cases.view_assigned")):
        raise Http404
    data = request.GET.copy()
    data.setdefault("monitor", default_monitor(membership))
    form = MonitoringFilterForm(data, membership=membership)
    valid = form.is_valid()
    soon = soon_days(membership.program_id)
    rows = monitoring_rows(
        membership,
        today=program_today(membership.program),
        soon=soon,
        monitor_id=form.monitor_id() if valid else None,
        health=form.cleaned_data.get("health", "") if valid else "",
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for agreement in page:
        where = [agreement.case.reference, agreement.pk]
        agreement.path = reverse("agreements:agreement", args=where)  # type: ignore[attr-defined]
        agreement.verified_hours = hours(agreement.verified_minutes)  # type: ignore[attr-defined]
        agreement.agreed_hours = hours(agreement.agreed_minutes)  # type: ignore[attr-defined]
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "agreements/monitoring.html",
        {
            "form": form,
            "page": page,
            "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
            "soon": soon,
        },
        status=400 if form.errors else 200,
    )

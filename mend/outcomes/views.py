"""The reports pages: a quarter's figures with their counting rules, the records behind
a figure, the reporting settings, and the public trends page. HTTP only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mend.outcomes import measures
from mend.outcomes.access import sees_records
from mend.outcomes.models import settings_of
from mend.outcomes.periods import (
    Period,
    parse_quarter,
    program_today,
    quarter_containing,
)
from mend.outcomes.report import for_quarter, quarters_shown
from mend.programs.access import program_view
from mend.programs.models import Membership, Program

PAGE_SIZE = 50
# The other pages of Reports, with who may open them.
REPORT_PAGES = [
    (gettext_lazy("Reporting settings"), "outcomes:settings", "program.configure"),
    (gettext_lazy("National offence codes"), "outcomes:offence_codes", "program.configure"),
    (gettext_lazy("Export the program's data"), "outcomes:export", "outcomes.export_person_free"),
]


def _quarter(request: HttpRequest, program: Program) -> Period:
    return parse_quarter(request.GET.get("quarter", "")) or quarter_containing(
        program_today(program)
    )


@program_view("outcomes.view")
@require_GET
def reports(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    period = _quarter(request, program)
    quarters = quarters_shown(program)
    report = for_quarter(program, period, exact=sees_records(membership))
    return render(
        request,
        "outcomes/reports.html",
        {
            "report": report,
            "quarters": quarters,
            "period": period,
            "pages": [
                (label, reverse(name)) for label, name, need in REPORT_PAGES if membership.can(need)
            ],
        },
    )


@program_view("outcomes.view_records")
@require_GET
def records(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """The records one figure counts (or one cell of a breakdown), case by case."""
    measure = measures.get(code)
    if measure is None:
        raise Http404
    program = membership.program
    period = _quarter(request, program)
    where = {}
    dimension = next((d for d in measure.dimensions if d.code == request.GET.get("by")), None)
    if dimension is not None:
        value = request.GET.get("value", "")
        where[dimension.code] = value or None
    rows = measure.records(program, period, **where)
    case_column = "reference" if measure.case_path == "pk" else f"{measure.case_path}__reference"
    listed = rows.order_by(measure.date_path or "pk", "pk").values_list(
        case_column, measure.date_path or "pk"
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outcomes/records.html",
        {
            "measure": measure,
            "period": period,
            "dimension": dimension,
            "cell": dimension.words(where[dimension.code])
            if dimension and dimension.words
            else where.get(dimension.code if dimension else "", ""),
            "value": measure.value_of(rows),
            "page": page,
            "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
        },
    )


@require_GET
def public_trends(request: HttpRequest, slug: str) -> HttpResponse:
    """A program's trends for anyone, without signing in, once the program publishes
    them; suppressed as analysts see them."""
    program = get_object_or_404(Program, slug=slug, is_active=True)
    if not settings_of(program).publish_trends:
        raise Http404
    period = quarter_containing(program_today(program))
    report = for_quarter(program, period, exact=False, public=True)
    return render(
        request,
        "outcomes/public_trends.html",
        {"report": report, "program": program, "period": period},
    )

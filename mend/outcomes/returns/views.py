"""The returns page, its PDF and CSV, and the records behind each figure. HTTP only."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import DateTimeField, F, Model
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from mend.outcomes.access import sees_records
from mend.outcomes.models import settings_of
from mend.outcomes.periods import (
    Period,
    parse_quarter,
    program_today,
    quarter_containing,
    recent_quarters,
)
from mend.outcomes.returns import documents
from mend.outcomes.returns.forms import QuarterForm
from mend.outcomes.returns.lines import figures_of, records_of
from mend.programs.access import program_view
from mend.programs.models import Membership, Program

QUARTERS_OFFERED = 8
PER_PAGE = 50


def _period(request: HttpRequest, program: Program) -> Period:
    """The quarter asked for, or the current one in the program's time zone."""
    found = parse_quarter(request.GET.get("quarter", ""))
    return found or quarter_containing(program_today(program))


def _figures(membership: Membership, period: Period) -> list[Any]:
    program = membership.program
    return figures_of(
        program,
        period,
        exact=sees_records(membership),
        threshold=settings_of(program).suppression_threshold,
    )


def _file(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@program_view("outcomes.view")
@require_GET
def returns_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    form = QuarterForm(request.GET or None, quarters=recent_quarters(program, QUARTERS_OFFERED))
    period = quarter_containing(program_today(program))
    if form.is_bound and form.is_valid() and form.cleaned_data["quarter"] is not None:
        period = form.cleaned_data["quarter"]
    elif not form.is_bound:
        form = QuarterForm(
            initial={"quarter": period.code},
            quarters=recent_quarters(program, QUARTERS_OFFERED),
        )
    return render(
        request,
        "outcomes/returns/page.html",
        {
            "form": form,
            "period": period,
            "query": urlencode({"quarter": period.code}),
            "returns": _figures(membership, period),
            "sees_records": sees_records(membership),
            "threshold": settings_of(program).suppression_threshold,
        },
    )


@program_view("outcomes.view")
@require_GET
def returns_pdf(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    period = _period(request, program)
    content = documents.as_pdf(
        _figures(membership, period),
        program,
        period,
        program_today(program),
        exact=sees_records(membership),
    )
    return _file(content, "application/pdf", f"returns-{period.code}.pdf")


@program_view("outcomes.view")
@require_GET
def returns_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    period = _period(request, membership.program)
    content = documents.as_csv(_figures(membership, period), period)
    return _file(content, "text/csv; charset=utf-8", f"returns-{period.code}.csv")


def _is_moment(model: type[Model], path: str) -> bool:
    """Whether a path names a moment (read as a day in the program's zone) or a day."""
    *joins, last = path.split("__")
    try:
        for name in joins:
            related = model._meta.get_field(name).related_model
            assert related is not None and not isinstance(related, str)
            model = related
        return isinstance(model._meta.get_field(last), DateTimeField)
    except FieldDoesNotExist:
        return False  # an annotation of the measure's rows: a day already


@program_view("outcomes.view_records")
@require_GET
def return_records(request: HttpRequest, membership: Membership, figure: str) -> HttpResponse:
    program = membership.program
    period = _period(request, program)
    found = records_of(figure, program, period)
    if found is None:
        raise Http404
    line, rows, label = found
    measure = line.measure
    day: Any = F(measure.date_path)
    if _is_moment(rows.model, measure.date_path):
        day = TruncDate(measure.date_path, tzinfo=zoneinfo.ZoneInfo(program.time_zone))
    case = f"{measure.case_path}__" if measure.case_path else ""
    # Names of their own: a counted row may itself have a `reference` (a case).
    fields: dict[str, Any] = {"counted_on": day, "case_reference": F(f"{case}reference")}
    person = measure.distinct
    if person:
        fields["given_name"] = F(f"{person}__given_name")
        fields["family_name"] = F(f"{person}__family_name")
    listed = rows.annotate(**fields).order_by("counted_on", "case_reference", "pk").values(*fields)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/returns/records.html",
        {
            "measure": measure,
            "figure": figure,
            "label": label,
            "rule": line.rule or measure.rule,
            "value": measure.value_of(rows),
            "period": period,
            "page": page,
            "counts_people": bool(person),
            "query": urlencode({"quarter": period.code}),
        },
    )

"""The reports page: this quarter's figures, each with its counting rule. HTTP only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mend.outcomes import measures
from mend.outcomes.access import sees_records
from mend.outcomes.periods import parse_quarter, program_today, quarter_containing, recent_quarters
from mend.programs.access import program_view
from mend.programs.models import Membership


@program_view("outcomes.view")
@require_GET
def reports(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    period = parse_quarter(request.GET.get("quarter", "")) or quarter_containing(
        program_today(program)
    )
    figures = [(measure, measure.value(program, period)) for measure in measures.all_measures()]
    return render(
        request,
        "outcomes/reports.html",
        {
            "period": period,
            "quarters": recent_quarters(program, 8),
            "figures": figures,
            "sees_records": sees_records(membership),
        },
    )

"""The export page and its two downloads. HTTP only: mend.outcomes.export.services decides."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from mend.outcomes.export.services import filename, start_export
from mend.outcomes.export.tables import CAPABILITY, LEFT_OUT, Variant
from mend.programs.access import program_view
from mend.programs.models import Membership


@program_view("outcomes.export_person_free")
@require_GET
def export_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "outcomes/export.html",
        {
            "may_export_full": membership.can(CAPABILITY[Variant.FULL]),
            "left_out_count": len(LEFT_OUT),
        },
    )


def _download(request: HttpRequest, membership: Membership, variant: Variant) -> HttpResponse:
    chunks = start_export(membership=membership, variant=variant, by=request.user)  # type: ignore[arg-type]
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename(membership, variant)}"'
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # the zip streams


@program_view("outcomes.export")
@require_POST
def export_full(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _download(request, membership, Variant.FULL)


@program_view("outcomes.export_person_free")
@require_POST
def export_person_free(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _download(request, membership, Variant.PERSON_FREE)

"""Coordinators import referrals from a CSV file: upload, dry-run preview, then import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.api.schemas import category_codes
from mend.cases.models import JusticeStage
from mend.core.forms import Form
from mend.partners import imports
from mend.programs.access import program_view
from mend.programs.models import Agency, Membership

ALL_OR_NOTHING = "all"
ONLY_VALID = "valid"


def _agencies(membership: Membership) -> QuerySet[Agency]:
    return Agency.objects.filter(
        program_id=membership.program_id, is_active=True, refers_cases=True
    )


class UploadForm(Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Referring agency"),
        queryset=Agency.objects.none(),
        help_text=gettext_lazy("Every referral in the file comes from this agency."),
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 CSV, at most 512 KiB and 1,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(membership)  # type: ignore[attr-defined]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(imports.too_big())
        try:
            return imports.decode(upload.read(imports.MAX_BYTES + 1))
        except imports.ImportRefused as refused:
            raise forms.ValidationError(refused.messages) from None


class ConfirmForm(Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=gettext_lazy("What to import"),
        choices=[
            (ALL_OR_NOTHING, gettext_lazy("All rows, or nothing if any row has errors")),
            (ONLY_VALID, gettext_lazy("Only the valid rows; leave out the rows with errors")),
        ],
        initial=ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )


def _help() -> dict[str, Any]:
    return {
        "columns": imports.COLUMNS,
        "required_columns": imports.REQUIRED_COLUMNS,
        "justice_stages": [value for value, _label in JusticeStage.choices],
        "max_kib": imports.MAX_BYTES // 1024,
        "max_rows": imports.MAX_ROWS,
    }


def _page(
    request: HttpRequest, membership: Membership, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("form", UploadForm(membership=membership))
    context["codes"] = sorted(category_codes(membership.program_id))
    return render(request, "partners/import.html", {**_help(), **context}, status=status)


@program_view("referrals.screen")
@require_http_methods(["GET", "POST"])
def import_referrals(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(request, membership)
    if request.method != "POST":
        return _page(request, membership)
    form = UploadForm(request.POST, request.FILES, membership=membership)
    if not form.is_valid():
        return _page(request, membership, status=400, form=form)
    agency, text = form.cleaned_data["agency"], form.cleaned_data["file"]
    try:
        result = imports.preview(program=membership.program, agency=agency, text=text)
    except imports.ImportRefused as refused:
        for message in refused.messages:
            form.add_error("file", message)
        return _page(request, membership, status=400, form=form)
    by: User = request.user  # type: ignore[assignment]
    confirm = ConfirmForm(
        initial={
            "payload": imports.sign(program=membership.program, agency=agency, by=by, text=text),
            "mode": ALL_OR_NOTHING,
        }
    )
    return _preview(request, agency, result, confirm)


def _preview(
    request: HttpRequest,
    agency: Agency,
    result: imports.Preview,
    confirm: ConfirmForm,
    status: int = 200,
    refused: bool = False,
) -> HttpResponse:
    return render(
        request,
        "partners/import_preview.html",
        {"agency": agency, "preview": result, "confirm": confirm, "refused": refused},
        status=status,
    )


def _confirm(request: HttpRequest, membership: Membership) -> HttpResponse:
    by: User = request.user  # type: ignore[assignment]
    confirm = ConfirmForm(request.POST)
    stale = _("This preview has expired or was changed. Upload the file again.")
    if not confirm.is_valid():
        return _page(request, membership, status=400, error=stale)
    try:
        agency_id, text = imports.unsign(
            confirm.cleaned_data["payload"], program=membership.program, by=by
        )
    except signing.BadSignature:
        return _page(request, membership, status=400, error=stale)
    agency = _agencies(membership).filter(pk=agency_id).first()
    if agency is None:
        return _page(request, membership, status=400, error=stale)
    try:
        done = imports.import_referrals(
            program=membership.program,
            agency=agency,
            by=by,
            text=text,
            only_valid=confirm.cleaned_data["mode"] == ONLY_VALID,
        )
    except imports.ImportRefused as refused:
        return _page(request, membership, status=400, error=" ".join(refused.messages))
    if done.preview.invalid and not done.referrals and confirm.cleaned_data["mode"] != ONLY_VALID:
        return _preview(request, agency, done.preview, confirm, status=400, refused=True)
    messages.success(
        request,
        _(
            "Imported %(imported)d referrals. Skipped %(duplicates)d already imported "
            "and %(invalid)d with errors."
        )
        % {
            "imported": len(done.referrals),
            "duplicates": done.preview.duplicates,
            "invalid": done.preview.invalid,
        },
    )
    return redirect("cases:referral_list")

"""The page mapping the program's offence categories to a national code list. HTTP only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mend.core import submissions
from mend.outcomes import offence_code_services
from mend.outcomes.models import NationalOffenceCode, OutcomeSettings, settings_of
from mend.outcomes.offence_codes import CodeList, codes_of
from mend.outcomes.settings_services import STALE
from mend.processes.venue_forms import OnceForm
from mend.programs.access import program_view
from mend.programs.models import Membership, OffenceCategory
from mend.programs.settings_views import show_errors


class OffenceCodesForm(OnceForm):
    code_list = forms.ChoiceField(
        label=gettext_lazy("National list"),
        required=False,
        help_text=gettext_lazy(
            "Choose the list, save, then give each category its code. Changing the list "
            "clears the codes of the old one."
        ),
    )

    def __init__(
        self, *args: Any, current: OutcomeSettings, categories: list[OffenceCategory], **kwargs: Any
    ) -> None:
        mapped = dict(
            NationalOffenceCode.objects.filter(category__in=categories).values_list(
                "category_id", "code"
            )
        )
        initial = kwargs.setdefault("initial", {})
        initial["code_list"] = current.offence_code_list
        super().__init__(*args, version=current.version, **kwargs)
        self.fields["code_list"].choices = [("", _("None")), *CodeList.choices]  # type: ignore[attr-defined]
        self.categories = categories
        choices = [("", _("Not mapped")), *codes_of(current.offence_code_list)]
        if current.offence_code_list:
            for category in categories:
                name = f"category_{category.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=category.display_label, choices=choices, required=False
                )
                self.initial[name] = mapped.get(category.pk, "")

    def codes(self) -> dict[int, str]:
        return {
            category.pk: self.cleaned_data.get(f"category_{category.pk}", "")
            for category in self.categories
            if f"category_{category.pk}" in self.fields
        }


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def offence_codes(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    current = settings_of(program)
    categories = list(OffenceCategory.objects.filter(program=program).order_by("position", "label"))
    form = OffenceCodesForm(request.POST or None, current=current, categories=categories)
    status = 400 if form.errors else 200
    if form.is_valid():
        data = form.cleaned_data
        # A new list starts with no codes: those shown were the old list's.
        codes = form.codes() if data["code_list"] == current.offence_code_list else {}
        try:
            with transaction.atomic():
                if submissions.claim(data["submission"], user=request.user):  # type: ignore[arg-type]
                    offence_code_services.map_offence_codes(
                        program=program,
                        code_list=data["code_list"],
                        codes=codes,
                        by=request.user,  # type: ignore[arg-type]
                        expected_version=data["version"],
                    )
        except ValidationError as error:
            show_errors(form, error)  # type: ignore[arg-type]
            status = 409 if error.code == STALE else 400
        else:
            messages.success(request, _("The offence codes were saved."))
            return redirect("outcomes:offence_codes")
    return render(request, "outcomes/offence_codes.html", {"form": form}, status=status)

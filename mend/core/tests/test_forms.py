"""The shared form pieces: ISO date inputs in every language, and the error summary."""

from __future__ import annotations

from datetime import date

from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from mend.core.forms import DateInput, Form, Problem, problems_of


class Meeting(Form):
    title = forms.CharField(label="Title")
    day = forms.DateField(label="Day", widget=DateInput)
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("circle", "Circle"), ("conference", "Conference")],
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("title") == "clash":
            raise forms.ValidationError("Someone else booked this room.")
        return data


Person = forms.formset_factory(
    type("PersonForm", (Form,), {"name": forms.CharField(label="Name")}), extra=0, min_num=2
)


def test_date_inputs_show_iso_dates_in_spanish_so_the_browser_keeps_them() -> None:
    with translation.override("es"):
        html = DateInput().render("day", date(2026, 12, 1))
    assert 'type="date"' in html
    assert 'value="2026-12-01"' in html


def test_date_fields_still_read_spanish_and_iso_dates() -> None:
    with translation.override("es"):
        for typed in ("2026-12-01", "01/12/2026"):
            assert forms.DateField(widget=DateInput).clean(typed) == date(2026, 12, 1)


def test_the_summary_links_each_field_error_to_its_input_and_radio_groups_to_the_first() -> None:
    form = Meeting({"title": "", "day": "", "version": "1"})
    assert problems_of([form]) == [
        Problem("Title: This field is required.", "id_title"),
        Problem("Day: This field is required.", "id_day"),
        Problem("Kind: This field is required.", "id_kind_0"),
    ]


def test_the_summary_lists_form_wide_and_hidden_field_errors_too() -> None:
    form = Meeting({"title": "clash", "day": "2026-12-01", "kind": "circle", "version": "x"})
    assert problems_of([form]) == [
        # A form-wide problem points at the form's first field. A hidden field's problem
        # is the form's (nobody can correct a field they cannot see), so it does too.
        Problem("Someone else booked this room.", "id_title"),
        Problem("Enter a whole number.", "id_title"),
    ]


def test_formset_problems_name_the_form_they_belong_to() -> None:
    people = Person(
        {"p-TOTAL_FORMS": "2", "p-INITIAL_FORMS": "0", "p-0-name": "Ana", "p-1-name": ""},
        prefix="p",
    )
    assert problems_of([people, gettext_lazy("Harmed party")]) == [
        Problem("Harmed party 2, Name: This field is required.", "id_p-1-name")
    ]


def test_an_unbound_form_has_no_summary_and_a_failed_one_takes_the_summary_markup() -> None:
    template = Template("{% load mend_forms %}{% error_summary form %}")
    assert template.render(Context({"form": Meeting()})).strip() == ""
    html = template.render(Context({"form": Meeting({"version": "1"})}))
    assert "data-error-summary" in html
    assert 'tabindex="-1"' in html
    assert '<a href="#id_kind_0">Kind: This field is required.</a>' in html


def test_a_formset_wide_problem_points_at_the_first_field_of_its_first_form() -> None:
    people = forms.formset_factory(
        type("PersonForm", (Form,), {"name": forms.CharField(label="Name")}),
        extra=1,
        min_num=1,
        validate_min=True,
    )({"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0", "p-0-name": ""}, prefix="p")
    assert Problem("Please submit at least 1 form.", "id_p-0-name") in problems_of([people])

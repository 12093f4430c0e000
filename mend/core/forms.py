"""Form rendering in USWDS style: labels, hints and errors tied to their inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.formsets import BaseFormSet
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from mend.core.dates import YEARS_AHEAD, plausible_date


class MendFormRenderer(DjangoTemplates):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "usa-checkbox__input"),
    (forms.RadioSelect, "usa-radio__input"),
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (Input, "usa-input"),
]


def style_widget(widget: forms.Widget) -> None:
    for widget_type, css_class in _WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            existing = widget.attrs.get("class", "")
            if css_class not in existing.split():
                widget.attrs["class"] = f"{existing} {css_class}".strip()
            return


class StyledFormMixin:
    """Adds USWDS classes to every widget, and points inputs at their error messages."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field.widget)

    def __getitem__(self, name: str) -> forms.BoundField:
        # Fields added after __init__ (per-program questions) get their classes here.
        style_widget(self.fields[name].widget)
        return super().__getitem__(name)  # type: ignore[misc, no-any-return]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors = getattr(self, "_errors", None) or {}
        for name in [n for n in errors if n in self.fields and self.fields[n].widget.is_hidden]:
            # Nobody can see or fix a hidden field: say it at the top of the form instead.
            for message in errors.pop(name):
                if message not in errors.get("__all__", []):
                    self.add_error(None, message)  # type: ignore[attr-defined]
        for name in getattr(self, "errors", {}):
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


class Form(StyledFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    """A date picker whose value is always ISO (yyyy-mm-dd), in every language.

    `<input type="date">` takes only ISO values: a date written the Spanish way
    (01/12/2026) would leave the field empty. What the person sees is still in their
    browser's own format.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class DateField(forms.DateField):
    """A date in the ISO picker, within Mend's one rule for plausible dates.

    `past=True` for something that has happened (not after today); otherwise a planned
    date, at most `years_ahead` years from today. The API applies the same rule.
    """

    widget = DateInput

    def __init__(self, *, past: bool = False, years_ahead: int = YEARS_AHEAD, **kwargs: Any):
        super().__init__(**kwargs)

        def plausible(day: Any) -> None:
            plausible_date(day, past=past, years_ahead=years_ahead)

        self.validators.append(plausible)


@dataclass(frozen=True)
class Problem:
    """One line of an error summary: the message, and the id of the input it is about."""

    message: str
    target: str = ""


def _target(bound: forms.BoundField) -> str:
    # Radio and checkbox groups have no single labelled input: point at the first one.
    return bound.id_for_label or (f"{bound.auto_id}_0" if bound.auto_id else "")


def _form_problems(form: forms.BaseForm, group: str = "") -> list[Problem]:
    problems = []
    visible = [bound for bound in form if not bound.is_hidden]
    first = _target(visible[0]) if visible else ""
    for error in form.non_field_errors():
        problems.append(Problem(f"{group}: {error}" if group else str(error), first))
    for bound in form.hidden_fields():
        problems += [Problem(str(error)) for error in bound.errors]
    for bound in visible:
        label = str(bound.label)
        if group:
            label = _("%(group)s, %(field)s") % {"group": group, "field": label}
        problems += [Problem(f"{label}: {error}", _target(bound)) for error in bound.errors]
    return problems


def problems_of(items: Iterable[Any]) -> list[Problem]:
    """Every error of some forms and formsets, in page order, for an error summary.

    A formset may be followed by a name for its forms ("Harmed party"): their problems
    then say which one ("Harmed party 2, Given name: ...").
    """
    entries = list(items)
    problems: list[Problem] = []
    for index, item in enumerate(entries):
        if isinstance(item, BaseFormSet):
            following = entries[index + 1] if index + 1 < len(entries) else None
            name = str(following) if isinstance(following, str | Promise) else ""
            first = next(
                (bound for form in item.forms for bound in form if not bound.is_hidden), None
            )
            problems += [
                Problem(str(error), _target(first) if first else "")
                for error in item.non_form_errors()
            ]
            for number, form in enumerate(item.forms, start=1):
                problems += _form_problems(form, f"{name} {number}" if name else "")
        elif isinstance(item, forms.BaseForm) and item.is_bound:
            problems += _form_problems(item)
    return problems


class CodeListFormField(forms.JSONField):
    """JSON text that may be nested too deep to parse: a field error, never a crash."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except RecursionError:
            raise forms.ValidationError(
                _('Give a list of codes, such as ["en", "es"].'), code="invalid"
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return forms.fields.InvalidJSONInput(data)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return super().has_changed(initial, data)
        except (RecursionError, forms.ValidationError):
            return True

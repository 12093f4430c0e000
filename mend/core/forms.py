"""Form rendering in USWDS style: labels, hints and errors tied to their inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input


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

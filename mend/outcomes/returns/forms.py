from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.core.forms import Form
from mend.outcomes.periods import Period, parse_quarter


class QuarterForm(Form):
    """Which quarter: the recent ones offered, any other quarter accepted by its code."""

    is_filter = True
    quarter = forms.ChoiceField(label=_("Quarter"), required=False)

    def __init__(self, *args: Any, quarters: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = parse_quarter(str(self.data.get("quarter", "")))
        offered = list(reversed(quarters))
        if chosen is not None and chosen not in offered:
            offered.insert(0, chosen)
        field = self.fields["quarter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(period.code, period.label) for period in offered]

    def clean_quarter(self) -> Period | None:
        code = self.cleaned_data.get("quarter") or ""
        return parse_quarter(code) if code else None

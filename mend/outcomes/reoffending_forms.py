"""The forms of re-offending follow-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mend.core.forms import DateField, Form
from mend.core.submissions import new_token, token_field
from mend.outcomes.models import ReoffendingCheck
from mend.processes.venue_forms import OnceForm
from mend.programs.models import OffenceCategory


class ResultForm(OnceForm):
    result = forms.ChoiceField(
        label=_("What the check found"),
        choices=ReoffendingCheck.Result.choices,
        widget=forms.RadioSelect,
    )
    offence_date = DateField(
        label=_("Date of the new offence"),
        past=True,
        required=False,
        help_text=_("Only for a new offence: the day it happened, as the record gives it."),
    )
    category = forms.ModelChoiceField(
        label=_("Offence category (optional)"),
        queryset=OffenceCategory.objects.none(),
        required=False,
    )
    source_reference = forms.CharField(
        label=_("Source reference"),
        max_length=100,
        required=False,
        help_text=_(
            "Only for a new offence: the reference of the record it was found in, such as "
            "the police incident number."
        ),
    )

    def __init__(self, *args: Any, check: ReoffendingCheck, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(
            result=check.result or None,
            offence_date=check.offence_date,
            category=check.offence_category_id,
            source_reference=check.source_reference,
        )
        super().__init__(*args, version=check.version, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OffenceCategory.objects.filter(
            Q(is_active=True) | Q(pk=check.offence_category_id), program_id=check.program_id
        )


class FollowUpMonthsForm(OnceForm):
    follow_up_months = forms.CharField(
        label=_("Check re-offending this many months after completion"),
        max_length=100,
        help_text=_(
            "Whole months from 1 to 120, separated by commas, such as 6, 12, 24. Checks "
            "already made stay as they are."
        ),
    )

    def __init__(self, *args: Any, months: list[int], version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["follow_up_months"] = ", ".join(str(m) for m in months)
        super().__init__(*args, version=version, **kwargs)


class ImportForm(Form):
    file = forms.FileField(
        label=_("CSV file of incidents"),
        help_text=_(
            "Columns: given name, family name, date of birth, incident date, incident "
            "reference, offence. At most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    submission = token_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["submission"] = new_token()
        super().__init__(*args, **kwargs)


class DecideForm(OnceForm):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )

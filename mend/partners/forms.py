from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.core.forms import DateField, Form
from mend.partners.models import Scope
from mend.partners.services import KEY_YEARS
from mend.programs.models import Agency, Membership


class ApiKeyForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which partner system uses it, such as “Police records system”."),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        help_text=_("Referrals sent with this key come from this agency."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the key may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = DateField(
        years_ahead=KEY_YEARS,
        label=_("Expires on"),
        required=False,
        help_text=_(
            "The key stops working at the end of this day, at most two years ahead. "
            "Leave empty for no expiry."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            program_id=membership.program_id, is_active=True, refers_cases=True
        )

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return value


class WebhookEndpointForm(Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        help_text=_("Mend tells this agency's system when its referrals change status."),
    )
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "An https:// address on the agency's system. It replaces the agency's current one."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            program_id=membership.program_id, is_active=True
        )

    def clean_url(self) -> Any:
        from mend.partners.webhooks import check_url

        return check_url(self.cleaned_data["url"])

"""The forms of the rooms page and the "My availability" page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.core.forms import Form
from mend.core.submissions import new_token, token_field
from mend.processes.models import Availability, Venue

OUT_OF_DATE = _("This form is out of date. Reload the page and try again.")


class OnceForm(Form):
    """Opened on one version, sent once."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )
    submission = token_field()

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial["version"] = version
        initial["submission"] = new_token()
        super().__init__(*args, **kwargs)


class VenueForm(OnceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    capacity = forms.IntegerField(label=_("How many people it holds"), min_value=1, max_value=1000)
    access_notes = forms.CharField(
        label=_("Access notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How to get in: entrance, steps or lift, parking. Nothing about people."),
    )

    def __init__(self, *args: Any, venue: Venue | None, version: int, **kwargs: Any) -> None:
        if venue is not None:
            kwargs.setdefault("initial", {}).update(
                name=venue.name, capacity=venue.capacity, access_notes=venue.access_notes
            )
        super().__init__(*args, version=version, **kwargs)


class AvailabilityForm(OnceForm):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=Availability.Weekday.choices, coerce=int
    )
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class RemoveForm(OnceForm):
    pass

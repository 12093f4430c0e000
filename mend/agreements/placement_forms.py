"""The forms of the placements pages and of the placement's own verification page."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.agreements.models import Placement
from mend.agreements.verification import PROBLEMS
from mend.core.forms import Form
from mend.processes.models import Availability
from mend.processes.venue_forms import OnceForm

# Empty rows offered below the schedule's own, to add times without a script.
SPARE_ROWS = 3
MOST_ROWS = 21


class PlacementForm(OnceForm):
    organisation = forms.CharField(label=_("Partner organisation"), max_length=160)
    name = forms.CharField(
        label=_("Worksite"),
        max_length=160,
        help_text=_("The place people go to, such as the organisation's shop or garden."),
    )
    address = forms.CharField(
        label=_("Address of the worksite"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_name = forms.CharField(
        label=_("Contact at the placement"),
        max_length=160,
        help_text=_("The person who confirms the hours served there."),
    )
    contact_email = forms.EmailField(label=_("Contact's e-mail"), required=False, max_length=254)
    contact_phone = forms.CharField(label=_("Contact's phone"), required=False, max_length=40)

    def __init__(self, *args: Any, placement: Placement | None, version: int, **kwargs: Any):
        if placement is not None:
            kwargs.setdefault("initial", {}).update(
                {field: getattr(placement, field) for field in self.base_fields if field in FIELDS}
            )
        super().__init__(*args, version=version, **kwargs)

    def details(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in FIELDS}


FIELDS = ("organisation", "name", "address", "contact_name", "contact_email", "contact_phone")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleRowForm(Form):
    """One weekly time the worksite takes people. A row left empty is no time."""

    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("No day")), *Availability.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.TimeField(label=_("From"), required=False, widget=_time_input())
    end = forms.TimeField(label=_("Until"), required=False, widget=_time_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(name) is not None for name in ("weekday", "start", "end")]
        if any(given) and not all(given):
            for name, present in zip(("weekday", "start", "end"), given, strict=True):
                if not present and name not in self.errors:
                    self.add_error(name, _("Give the day and both times, or leave the row empty."))
        elif all(given) and data["end"] <= data["start"]:
            self.add_error("end", _("The time must end after it starts."))
        return data

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("weekday") is None or data.get("start") is None:
            return None
        return {"weekday": data["weekday"], "from": data["start"], "until": data["end"]}


class BaseScheduleFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "missing_management_form": _(
            "Part of this page was not sent as it was shown. Reload the page and enter the "
            "times again."
        ),
        "too_many_forms": _("Give at most 21 times."),
    }

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = self.rows()
        seen: list[tuple[int, time, time]] = []
        for day, start, end in sorted((r["weekday"], r["from"], r["until"]) for r in rows):
            if seen and seen[-1][0] == day and start < seen[-1][2]:
                raise forms.ValidationError(
                    _("Two times on %(day)s overlap: make them one, or separate them."),
                    params={"day": Availability.Weekday(day).label},
                )
            seen.append((day, start, end))

    def rows(self) -> list[dict[str, Any]]:
        return [row for form in self.forms if (row := form.row()) is not None]


ScheduleFormSet = forms.formset_factory(
    ScheduleRowForm,
    formset=BaseScheduleFormSet,
    extra=SPARE_ROWS,
    max_num=MOST_ROWS,
    absolute_max=MOST_ROWS,
    validate_max=True,
)


def schedule_formset(data: Any, placement: Placement | None) -> BaseScheduleFormSet:
    initial = [
        {
            "weekday": row["weekday"],
            "start": time.fromisoformat(row["from"]),
            "end": time.fromisoformat(row["until"]),
        }
        for row in (placement.schedule if placement is not None else [])
    ]
    return ScheduleFormSet(data, initial=initial, prefix="schedule")  # type: ignore[return-value]


class RetireForm(OnceForm):
    pass


class ConfirmForm(Form):
    """The placement's contact confirms the sessions they tick, naming themselves."""

    sessions = forms.TypedMultipleChoiceField(
        label=_("Sessions to confirm"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick each session whose hours you confirm."),
            "invalid_choice": _("Tick only sessions listed on this page."),
        },
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=160,
        help_text=_("It is kept with the hours, as the person who confirmed them."),
        error_messages={"required": _("Give your name: it is kept with the hours.")},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sessions"].choices = choices  # type: ignore[attr-defined]


class FlagForm(Form):
    """The contact says what is wrong with one session."""

    problem = forms.ChoiceField(
        label=_("What is wrong"),
        choices=list(PROBLEMS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Say what is wrong with the session.")},
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=160,
        error_messages={"required": _("Give your name, so the program can call you back.")},
    )

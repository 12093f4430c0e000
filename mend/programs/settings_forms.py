"""The forms of the program settings pages. Each is one section of /program/.

Every form carries the program's configuration version it was opened on; the service
refuses it when someone changed the configuration meanwhile.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mend.core.forms import Form
from mend.core.submissions import new_token, token_field
from mend.programs.models import (
    RETENTION_MAX_MONTHS,
    RETENTION_MIN_MONTHS,
    ConsentPurpose,
    EligibilityCriterion,
    OffenceCategory,
    ProcessType,
    Program,
    RetentionRule,
)

HIDDEN = ("version", "submission")
OUT_OF_DATE = _("This form is out of date. Reload the page and try again.")


class SettingsForm(Form):
    """A form opened on one version of a program's configuration, to be sent once."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )
    submission = token_field()

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        self.program = program
        initial = kwargs.setdefault("initial", {})
        initial.update(self.initial_from(program))
        initial["version"] = program.version
        initial["submission"] = new_token()
        super().__init__(*args, **kwargs)

    def initial_from(self, program: Program) -> dict[str, Any]:
        return {name: getattr(program, name) for name in self.base_fields if name not in HIDDEN}

    def changes(self) -> dict[str, Any]:
        """The settings this form sets, for the service."""
        return {name: value for name, value in self.cleaned_data.items() if name not in HIDDEN}


class ProcessesForm(SettingsForm):
    process_types = forms.MultipleChoiceField(
        label=_("Processes this program offers"),
        choices=ProcessType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one process.")},
    )

    def initial_from(self, program: Program) -> dict[str, Any]:
        return {"process_types": program.offered_processes}

    def changes(self) -> dict[str, Any]:
        chosen = self.cleaned_data["process_types"]
        # Kept in the order of the list, whatever order the browser sent them in.
        return {"process_types": [code for code in ProcessType.values if code in chosen]}


class PurposesForm(SettingsForm):
    consent_purposes = forms.MultipleChoiceField(
        label=_("Consent asked of everyone taking part"),
        help_text=_(
            "“To be contacted” is always asked. Each process needs its own consents: "
            "face-to-face processes need “To meet face to face”, shuttle mediation and "
            "letter exchange need indirect communication and sharing information."
        ),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least “To be contacted”.")},
    )

    def initial_from(self, program: Program) -> dict[str, Any]:
        return {"consent_purposes": program.offered_purposes}

    def changes(self) -> dict[str, Any]:
        chosen = self.cleaned_data["consent_purposes"]
        return {"consent_purposes": [code for code in ConsentPurpose.values if code in chosen]}


class LanguagesForm(SettingsForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages this program works in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )

    def initial_from(self, program: Program) -> dict[str, Any]:
        return {"languages": program.offered_languages}

    def changes(self) -> dict[str, Any]:
        chosen = self.cleaned_data["languages"]
        return {"languages": [code for code, _name in settings.LANGUAGES if code in chosen]}


def _days(label: Any, low: int, high: int, help_text: Any) -> forms.IntegerField:
    message = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class TimingForm(SettingsForm):
    assessment_validity_days = _days(
        _("Safety assessments stay current for (days)"),
        1,
        730,
        _("After this, a case needs a new safety assessment before a meeting. 1 to 730."),
    )
    rj_offer_deadline_working_days = _days(
        _("Offer restorative justice within (working days of referral)"),
        1,
        60,
        _("Cases not offered restorative justice by then show as overdue. 1 to 60."),
    )
    reminder_days = _days(
        _("Remind invitees of a meeting (days before)"),
        0,
        14,
        _("Invitees who chose e-mail get a reminder this many days before. 0: no reminders."),
    )


class TimeZoneForm(SettingsForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times on this program's cases are shown in this time zone."),
        choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())],
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )


class ContactForm(SettingsForm):
    contact_phone = forms.RegexField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        regex=r"^[0-9+()./ -]*$",
        help_text=_("Referrers see this on their referral pages."),
        error_messages={
            "invalid": _("Use only digits, spaces and + ( ) - . / in a telephone number.")
        },
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Referrers see this on their referral pages."),
        error_messages={"invalid": _("Enter an e-mail address, such as team@example.org.")},
    )


class RetentionForm(SettingsForm):
    """One number of months per kind of record."""

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, program=program, **kwargs)
        kept = {r.category: r.keep_for_months for r in program.retention_rules.all()}
        low, high = RETENTION_MIN_MONTHS, RETENTION_MAX_MONTHS
        for category, label in RetentionRule.Category.choices:
            self.fields[category] = _days(
                _("%(records)s: keep for (months)") % {"records": label},
                low,
                high,
                _("%(low)s to %(high)s months.") % {"low": low, "high": high},
            )
            self.initial[category] = kept.get(category)

    def initial_from(self, program: Program) -> dict[str, Any]:
        return {}


class CategoryForm(SettingsForm):
    label = forms.CharField(label=_("Name in English"), max_length=120)
    label_es = forms.CharField(
        label=_("Name in Spanish"),
        max_length=120,
        required=False,
        help_text=_("Shown to people reading Mend in Spanish. Without it they see the English."),
    )
    handling = forms.ChoiceField(
        label=_("Handling"),
        choices=OffenceCategory.Handling.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Referrals in a specialist-only or excluded category need a coordinator's "
            "written override; a specialist-only case must also be led by a specialist "
            "practitioner."
        ),
    )
    is_active = forms.BooleanField(
        label=_("In use: referrers can choose this category"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, program: Program, category: OffenceCategory | None = None, **kwargs: Any
    ) -> None:
        self.category = category
        super().__init__(*args, program=program, **kwargs)
        if category is None:
            del self.fields["is_active"]

    def initial_from(self, program: Program) -> dict[str, Any]:
        if self.category is None:
            return {"handling": OffenceCategory.Handling.ELIGIBLE}
        return {
            name: getattr(self.category, name)
            for name in ("label", "label_es", "handling", "is_active")
        }


class CriterionForm(SettingsForm):
    label = forms.CharField(label=_("Question in English"), max_length=300)
    label_es = forms.CharField(
        label=_("Question in Spanish"),
        max_length=300,
        required=False,
        help_text=_("Shown to people reading Mend in Spanish. Without it they see the English."),
    )
    is_active = forms.BooleanField(
        label=_("In use: screening asks this question"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        criterion: EligibilityCriterion | None = None,
        **kwargs: Any,
    ) -> None:
        self.criterion = criterion
        super().__init__(*args, program=program, **kwargs)
        if criterion is None:
            del self.fields["is_active"]

    def initial_from(self, program: Program) -> dict[str, Any]:
        if self.criterion is None:
            return {}
        return {name: getattr(self.criterion, name) for name in ("label", "label_es", "is_active")}

"""The forms of a term's page: following up what was agreed.

Each carries the version of the agreement it was opened on (a changed term meanwhile
makes it stale) and a one-time token (sending it twice records once). Each has its own
prefix, so the page can show several without their fields' ids meeting. On a closed case
each asks why it is being changed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from mend.agreements import services
from mend.agreements.models import Payment, ServiceIncident, ServiceSession, Term
from mend.cases.stages import ENDED
from mend.core.forms import DateField, Form
from mend.core.submissions import new_token, token_field

OUT_OF_DATE = _("This form is out of date. Reload the page and try again.")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# What a person may choose on the status form (renegotiating has its own form).
CHOSEN_STATUSES = [
    Term.Status.IN_PROGRESS,
    Term.Status.COMPLETED,
    Term.Status.NOT_COMPLETED,
    Term.Status.WAIVED,
]


def written_amount(text: str) -> Decimal:
    """An amount as the reader's language writes it ("25,50" in Spanish is 25.50)."""
    try:
        return services.money(formats.sanitize_separators(text.strip()))
    except ValidationError as error:
        raise forms.ValidationError(error.message_dict["amount"]) from None


class TermForm(Form):
    """A form about one term, opened on one version of its agreement."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )
    submission = token_field()

    def __init__(self, *args: Any, term: Term, **kwargs: Any) -> None:
        self.term = term
        initial = kwargs.setdefault("initial", {})
        initial["version"] = term.agreement.version
        initial["submission"] = new_token()
        super().__init__(*args, **kwargs)
        if term.agreement.case.stage in ENDED:
            self.fields["closed_reason"] = forms.CharField(
                label=_("Why are you changing a closed case?"),
                help_text=_("The reason is kept in the audit trail."),
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def closed_reason(self) -> str:
        return str(self.cleaned_data.get("closed_reason", ""))


class PaymentForm(TermForm):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    paid_on = DateField(label=_("Paid on"), past=True)
    method = forms.ChoiceField(
        label=_("How it was paid"), choices=[("", "---------"), *Payment.Method.choices]
    )
    receipt = forms.CharField(label=_("Receipt reference"), max_length=80, required=False)
    overpayment = forms.BooleanField(
        label=_("Record as an overpayment"),
        required=False,
        help_text=_("Only needed when the amount is more than what is still owed."),
    )

    def clean_amount(self) -> Decimal:
        return written_amount(self.cleaned_data["amount"])


class CorrectionForm(TermForm):
    payment = forms.TypedChoiceField(label=_("Payment to correct"), coerce=int)
    reason = forms.CharField(
        label=_("Why is it being corrected?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, term: Term, choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, term=term, **kwargs)
        self.fields["payment"].choices = [("", "---------"), *choices]  # type: ignore[attr-defined]


class CheckInForm(TermForm):
    on = DateField(label=_("Date"), past=True)
    at = forms.TimeField(label=_("Checked in at"), widget=TIME)


class CheckOutForm(TermForm):
    at = forms.TimeField(label=_("Checked out at"), widget=TIME)


class VerifyForm(TermForm):
    session = forms.TypedChoiceField(label=_("Session"), coerce=int)
    verifier_name = forms.CharField(
        label=_("Who at the placement confirmed the hours?"), max_length=160
    )

    def __init__(self, *args: Any, term: Term, choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, term=term, **kwargs)
        self.fields["session"].choices = [("", "---------"), *choices]  # type: ignore[attr-defined]


class IncidentForm(TermForm):
    severity = forms.ChoiceField(
        label=_("Severity"), choices=ServiceIncident.Severity.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *ServiceIncident.Category.choices]
    )
    on = DateField(label=_("Date"), past=True)
    text = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(TermForm):
    confirmed_by = forms.CharField(label=_("Who at the provider confirmed it?"), max_length=160)
    confirmed_on = DateField(label=_("Confirmed on"), past=True)


class StatusForm(TermForm):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        help_text=_("Needed when the term was not completed or is waived."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, term: Term, **kwargs: Any) -> None:
        super().__init__(*args, term=term, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in CHOSEN_STATUSES if status != term.status
        ]


class RenegotiateForm(TermForm):
    """The new wording of a term the parties changed; what it serves and who watches it
    carry over."""

    description = forms.CharField(
        label=_("What was agreed now"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = DateField(label=_("Due by"), required=False, years_ahead=5)
    reason = forms.CharField(
        label=_("Why was the term renegotiated?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, term: Term, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(description=term.description, due_on=term.due_on)
        super().__init__(*args, term=term, **kwargs)
        if term.kind == Term.Kind.RESTITUTION:
            self.fields["amount"] = forms.CharField(
                label=_("Amount"),
                max_length=20,
                initial=formats.localize_input(term.amount),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        elif term.kind == Term.Kind.COMMUNITY_SERVICE:
            self.fields["service_hours"] = forms.IntegerField(
                label=_("Hours of service"),
                min_value=1,
                max_value=2000,
                initial=(term.service_minutes or 0) // 60 or None,
            )
        elif term.kind == Term.Kind.PROGRAM:
            self.fields["provider"] = forms.CharField(
                label=_("Provider"), max_length=160, initial=term.provider
            )
        self.order_fields(["description", "amount", "service_hours", "provider", "due_on"])

    def clean_amount(self) -> Decimal:
        return written_amount(self.cleaned_data["amount"])


def session_label(session: ServiceSession) -> str:
    until = f"{session.checked_out:%H:%M}" if session.checked_out else ""
    return f"{formats.date_format(session.on)}, {session.checked_in:%H:%M} - {until}"

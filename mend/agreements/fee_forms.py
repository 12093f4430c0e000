"""The forms of a case's fees page and of the program's agreement settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.agreements.models import AgreementSettings, FeeEntry, Term
from mend.core.forms import DateField
from mend.processes.venue_forms import OnceForm

CLOSED_REASON_HELP = _(
    "This case is closed. Say why you are changing it: the reason is kept in the audit trail."
)


class FeeForm(OnceForm):
    """A fee, a payment, a waiver or a payment plan, for one participant."""

    participant = forms.TypedChoiceField(
        label=_("Whose ledger"),
        coerce=int,
        error_messages={"required": _("Choose whose ledger this is for.")},
    )
    kind = forms.ChoiceField(
        label=_("What to record"),
        choices=[
            (FeeEntry.Kind.CHARGE, _("A fee charged")),
            (FeeEntry.Kind.PAYMENT, _("A payment received")),
            (FeeEntry.Kind.WAIVER, _("A fee waived, in part or in full")),
            (FeeEntry.Kind.PLAN, _("A payment plan agreed")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say what to record.")},
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("Not needed for a payment plan."),
    )
    on = DateField(label=_("Date"), past=True)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a fee on the sliding scale, its band. For a waiver, why. For a plan, what "
            "was agreed: how much, and when."
        ),
    )
    closed_reason = forms.CharField(
        label=_("Why you are changing a closed case"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=CLOSED_REASON_HELP,
    )

    def __init__(
        self,
        *args: Any,
        closed: bool,
        standard_fee: Any,
        payers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        if standard_fee is not None:
            initial.setdefault("amount", standard_fee)
        if len(payers) == 1:
            initial.setdefault("participant", payers[0][0])
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [("", _("Choose a person")), *payers]  # type: ignore[attr-defined]
        if not closed:
            del self.fields["closed_reason"]


class CorrectionForm(OnceForm):
    """Reverse one earlier entry exactly."""

    entry = forms.TypedChoiceField(
        label=_("Entry to correct"),
        coerce=int,
        error_messages={"required": _("Choose the entry to correct.")},
    )
    reason = forms.CharField(
        label=_("Why it is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the entry is being corrected.")},
    )
    closed_reason = forms.CharField(
        label=_("Why you are changing a closed case"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=CLOSED_REASON_HELP,
    )

    def __init__(
        self, *args: Any, closed: bool, choices: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("Choose an entry")), *choices]  # type: ignore[attr-defined]
        if not closed:
            del self.fields["closed_reason"]


class AgreementSettingsForm(OnceForm):
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("A three-letter code, such as USD or EUR."),
    )
    charges_fees = forms.BooleanField(
        label=_("The program charges participation fees"), required=False
    )
    standard_fee = forms.DecimalField(
        label=_("Standard fee"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("What most participants are charged, before any sliding-scale band."),
    )
    reminder_days = forms.IntegerField(
        label=_("Remind monitors this many days before a term is due"),
        min_value=0,
        max_value=90,
    )
    kinds_shared_with_referrer = forms.MultipleChoiceField(
        label=_("Kinds of term the referrer's report may list"),
        required=False,
        choices=Term.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The report says only that such a term was agreed and whether it was kept: never "
            "what was agreed, or with whom."
        ),
    )

    def __init__(self, *args: Any, current: AgreementSettings, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(
            currency=current.currency,
            charges_fees=current.charges_fees,
            standard_fee=current.standard_fee,
            reminder_days=current.reminder_days,
            kinds_shared_with_referrer=list(current.kinds_shared_with_referrer),
        )
        super().__init__(*args, version=current.version, **kwargs)

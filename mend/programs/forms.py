from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.core import audit_sentences
from mend.core.forms import DateField, Form
from mend.core.models import AuditEvent
from mend.programs.models import Agency, Membership
from mend.programs.roles import Role


class AuditFilterForm(Form):
    is_filter = True
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    who = forms.CharField(label=_("Who (username)"), max_length=150, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices],
    )
    since = DateField(label=_("From"), required=False)
    until = DateField(label=_("To"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *audit_sentences.groups()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data


class InvitationForm(Form):
    """Invite someone to a role. Nobody is looked up: the answer never says who has an account."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(
        label=_("Work e-mail"),
        help_text=_("Where the invitation is sent, when Mend can send e-mail."),
    )
    # No role is chosen for the administrator: they pick one on purpose.
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])
    agency = forms.ModelChoiceField(
        label=_("Agency (referrers only)"), queryset=Agency.objects.none(), required=False
    )
    expires_on = DateField(
        label=_("Role expires on"),
        required=False,
        help_text=_("Leave empty for a role without an end date."),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            program_id=membership.program_id, is_active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.REFERRER and not data.get("agency"):
            self.add_error("agency", _("A referrer must belong to a referring agency."))
        return data


class SwitchProgramForm(Form):
    program = forms.SlugField(label=_("Program"), max_length=40)

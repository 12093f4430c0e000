from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.accounts.models import User
from mend.core.forms import DateField, DateInput, Form
from mend.core.models import AuditEvent
from mend.programs.models import Agency, Membership
from mend.programs.roles import Role


class AuditFilterForm(Form):
    is_filter = True
    action = forms.CharField(label=_("Action contains"), max_length=80, required=False)
    who = forms.CharField(label=_("Who (username)"), max_length=150, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices],
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data


class RoleFields(Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency (referrers only)"), queryset=Agency.objects.none(), required=False
    )
    expires_on = DateField(
        label=_("Expires on"),
        required=False,
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


class MembershipForm(RoleFields):
    """Give an existing account a role in this program."""

    username = forms.CharField(label=_("Username"), max_length=150)
    field_order = ["username", "role", "agency", "expires_on"]

    def clean_username(self) -> User:
        username = self.cleaned_data["username"]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has that username."))
        return user


class NewPersonForm(RoleFields):
    """Create an account for someone new, with a role in this program."""

    new_username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only."),
        error_messages={"invalid": _("Use only letters, digits and . @ + - _ in a username.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Work e-mail"), required=False)
    field_order = ["new_username", "full_name", "email", "role", "agency", "expires_on"]

    def clean_new_username(self) -> str:
        username: str = self.cleaned_data["new_username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken. Choose another."))
        return username


class SwitchProgramForm(Form):
    program = forms.SlugField(label=_("Program"), max_length=40)

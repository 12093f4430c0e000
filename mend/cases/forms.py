"""Forms for referrals and the work on a case. Every one validates on the server."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mend.accounts.models import User
from mend.cases.models import (
    ContactMethod,
    JusticeStage,
    Person,
    Referral,
)
from mend.cases.services import PartyDetails
from mend.core.forms import DateField, Form
from mend.core.languages import language_choices
from mend.core.submissions import new_token, token_field
from mend.programs.models import (
    Agency,
    Membership,
    OffenceCategory,
)
from mend.programs.roles import Role


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Offence categories shown in the reader's language (the defaults are in the catalogue)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_label)


class ReferralForm(Form):
    agency = forms.ModelChoiceField(
        label=_("Referring agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("None: a self or community referral"),
    )
    referrer_name = forms.CharField(label=_("Your name"), max_length=200)
    referrer_email = forms.EmailField(label=_("Your work e-mail"), required=False)
    referrer_phone = forms.CharField(label=_("Your work phone"), max_length=40, required=False)
    referrer_staff_id = forms.CharField(
        label=_("Badge or staff number"), max_length=40, required=False
    )
    incident_reference = forms.CharField(label=_("Incident or crime reference"), max_length=60)
    incident_date = DateField(label=_("Date of the incident"), past=True)
    offence_category = CategoryChoiceField(
        label=_("Offence category"),
        queryset=OffenceCategory.objects.none(),
        empty_label=_("Choose a category"),
    )
    justice_stage = forms.ChoiceField(
        label=_("Where the matter stands"), choices=JusticeStage.choices
    )
    area = forms.CharField(
        label=_("Area or neighbourhood"),
        max_length=80,
        required=False,
        help_text=_("Where it happened, such as a district or neighbourhood. Not an address."),
    )
    precinct = forms.CharField(label=_("Police precinct or beat"), max_length=40, required=False)
    summary = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        required=False,
        help_text=_("A short factual summary. Do not include anyone's address or phone here."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    submission = token_field()

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["submission"] = new_token()
        super().__init__(*args, **kwargs)
        program = membership.program
        self.fields["offence_category"].queryset = OffenceCategory.objects.filter(  # type: ignore[attr-defined]
            program=program, is_active=True
        )
        if membership.can("referrals.screen"):
            # Staff take referrals for someone else: a caller, an officer on the phone.
            self.fields["referrer_name"].label = _("Referrer's name")
            self.fields["referrer_email"].label = _("Referrer's e-mail")
            self.fields["referrer_phone"].label = _("Referrer's phone")
        if membership.role == Role.REFERRER:
            # A referrer refers for their own agency; the field is not theirs to change.
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
                program=program, is_active=True, refers_cases=True
            )


def _languages() -> list[tuple[str, Any]]:
    return [("", _("Not known")), *language_choices()]


class PartyForm(Form):
    """One harmed or responsible party. A blank form is skipped."""

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    date_of_birth = DateField(label=_("Date of birth"), required=False, past=True)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=_languages, required=False
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"), max_length=500, required=False
    )
    preferred_contact = forms.ChoiceField(
        label=_("Preferred way to be contacted"),
        choices=[("", _("Not known")), *ContactMethod.choices],
        required=False,
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    link_to = forms.TypedChoiceField(
        label=_("Already known to the program?"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[],
        help_text=_("Link to the existing record instead of creating a second one."),
    )


def party_details(data: dict[str, Any], existing: Person | None = None) -> PartyDetails:
    """The service's PartyDetails from a cleaned party form (referral or 'add a person')."""
    return PartyDetails(
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        preferred_language=data["preferred_language"],
        accessibility_needs=data["accessibility_needs"],
        preferred_contact=data["preferred_contact"],
        phone=data["phone"],
        email=data["email"],
        address=data["address"],
        existing_person=existing,
        admits_responsibility=data.get("admits_responsibility"),
    )


class HarmedPartyForm(PartyForm):
    pass


class ResponsiblePartyForm(PartyForm):
    admits_responsibility = forms.TypedChoiceField(
        label=_("Admits responsibility or accepts the basic facts"),
        choices=[("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )


class BasePartyFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    # Django's own words ask the reader to "file a bug report": say what to do instead.
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "missing_management_form": _(
            "Part of this page was not sent as it was shown. Reload the page and enter the "
            "people again."
        ),
        "too_many_forms": ngettext_lazy(
            "Name at most %(num)d person here.", "Name at most %(num)d people here.", "num"
        ),
    }

    def filled(self) -> list[Any]:
        return [f for f in self.forms if f.is_valid() and f.cleaned_data]


class HarmedPartyFormSet(BasePartyFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data for form in self.forms if hasattr(form, "cleaned_data")):
            raise forms.ValidationError(_("Name at least one harmed party."))


# absolute_max caps the forms built whatever count is sent (Django's default is 1,000 more).
HarmedFormSet = forms.formset_factory(
    HarmedPartyForm,
    formset=HarmedPartyFormSet,
    extra=1,
    max_num=10,
    absolute_max=10,
    validate_max=True,
)
ResponsibleFormSet = forms.formset_factory(
    ResponsiblePartyForm,
    formset=BasePartyFormSet,
    extra=1,
    max_num=10,
    absolute_max=10,
    validate_max=True,
)


def matching_people(program_id: int, given: str, family: str, born: Any) -> list[Person]:
    """Existing people with the same name and date of birth: probable duplicates."""
    if isinstance(born, str):
        try:
            born = forms.DateField().clean(born)
        except forms.ValidationError:
            return []
    if not (given and family and born):
        return []
    return list(
        Person.objects.filter(
            program_id=program_id,
            given_name__iexact=given.strip(),
            family_name__iexact=family.strip(),
            date_of_birth=born,
        )[:5]
    )


# The case list's sortable columns: ?sort=<key> or ?sort=-<key> (newest first by default).
CASE_SORTS = {
    "reference": ("year", "number"),
    "-reference": ("-year", "-number"),
    "stage": ("stage", "-created_at"),
    "-stage": ("-stage", "-created_at"),
    "lead": ("lead_facilitator__full_name", "-created_at"),
    "-lead": ("-lead_facilitator__full_name", "-created_at"),
    "referred": ("created_at", "pk"),
    "-referred": ("-created_at", "-pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}


class CaseFilterForm(Form):
    is_filter = True  # every field is optional; the label needn't say so
    q = forms.CharField(label=_("Reference or name"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    facilitator = forms.ModelChoiceField(
        label=_("Lead facilitator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    offence_category = CategoryChoiceField(
        label=_("Offence category"),
        queryset=OffenceCategory.objects.none(),
        required=False,
        empty_label=_("Any category"),
    )
    since = DateField(label=_("Referred on or after"), required=False)
    until = DateField(label=_("Referred on or before"), required=False)
    needs = forms.ChoiceField(label=_("Needs"), required=False)
    mine = forms.BooleanField(label=_("Only cases I work on"), required=False)
    open = forms.BooleanField(label=_("Only open cases"), required=False)
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        from mend.cases.needs import NEEDS
        from mend.cases.stages import Stage

        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [("", _("Anything")), *NEEDS.items()]  # type: ignore[attr-defined]
        self.fields["stage"].choices = [("", _("Any stage")), *Stage.choices]  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__program_id=membership.program_id,
            memberships__role__in=[Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN],
            memberships__ended_at__isnull=True,
        ).order_by("username")
        self.fields["offence_category"].queryset = OffenceCategory.objects.filter(  # type: ignore[attr-defined]
            program_id=membership.program_id
        )

    def clean_sort(self) -> str:
        # An unknown column is ignored: the list falls back to its usual order.
        sort: str = self.cleaned_data["sort"]
        return sort if sort in CASE_SORTS else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data


class ReferralFilterForm(Form):
    is_filter = True
    q = forms.CharField(label=_("Incident or crime reference"), max_length=60, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    whose = forms.ChoiceField(label=_("Whose referrals"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same words as the rows: what a referrer is told about a referral.
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Any status")),
            *Referral.FollowStatus.choices,
        ]
        if membership.can("referrals.screen"):
            del self.fields["whose"]
            self.default_whose = "all"
        else:
            self.fields["whose"].choices = [  # type: ignore[attr-defined]
                ("mine", _("Mine")),
                ("agency", _("My agency's")),
            ]
            self.default_whose = "mine"


class ReferralMessageForm(Form):
    body = forms.CharField(
        label=_("What would you like to add?"),
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_(
            "For example a new phone number for a party, or something that happened since. "
            "The program's staff see it with the case."
        ),
    )
    submission = token_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["submission"] = new_token()
        super().__init__(*args, **kwargs)

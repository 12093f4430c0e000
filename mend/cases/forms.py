"""Forms for referrals and the work on a case. Every one validates on the server."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mend.accounts.models import User
from mend.cases.models import (
    Case,
    ConsentEntry,
    ContactMethod,
    JusticeStage,
    Note,
    Participant,
    Person,
    Referral,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.services import ASSESSMENT_QUESTIONS, PartyDetails
from mend.cases.stages import Outcome
from mend.core.forms import DateInput, Form
from mend.programs.models import (
    Agency,
    ConsentPurpose,
    Membership,
    OffenceCategory,
    ProcessType,
)
from mend.programs.roles import Role


def _not_in_future(value: Any) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Offence categories shown in the reader's language (the defaults are in the catalogue)."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext(obj.label)


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
    incident_date = forms.DateField(
        label=_("Date of the incident"), widget=DateInput, validators=[_not_in_future]
    )
    offence_category = CategoryChoiceField(
        label=_("Offence category"),
        queryset=OffenceCategory.objects.none(),
        empty_label=_("Choose a category"),
    )
    justice_stage = forms.ChoiceField(
        label=_("Where the matter stands"), choices=JusticeStage.choices
    )
    summary = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        required=False,
        help_text=_("A short factual summary. Do not include anyone's address or phone here."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = membership.program
        self.fields["offence_category"].queryset = OffenceCategory.objects.filter(  # type: ignore[attr-defined]
            program=program, is_active=True
        )
        if membership.role == Role.REFERRER:
            # A referrer refers for their own agency; the field is not theirs to change.
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
                program=program, is_active=True, refers_cases=True
            )


class PartyForm(Form):
    """One harmed or responsible party. A blank form is skipped."""

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput, validators=[_not_in_future]
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"), max_length=40, required=False
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
    def filled(self) -> list[Any]:
        return [f for f in self.forms if f.is_valid() and f.cleaned_data]


class HarmedPartyFormSet(BasePartyFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data for form in self.forms if hasattr(form, "cleaned_data")):
            raise forms.ValidationError(_("Name at least one harmed party."))


HarmedFormSet = forms.formset_factory(
    HarmedPartyForm, formset=HarmedPartyFormSet, extra=1, max_num=10, validate_max=True
)
ResponsibleFormSet = forms.formset_factory(
    ResponsiblePartyForm, formset=BasePartyFormSet, extra=1, max_num=10, validate_max=True
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
    since = forms.DateField(label=_("Referred on or after"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Referred on or before"), required=False, widget=DateInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        from mend.cases.stages import Stage

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("Any stage")), *Stage.choices]  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__program_id=membership.program_id,
            memberships__role__in=[Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN],
            memberships__ended_at__isnull=True,
        ).order_by("username")
        self.fields["offence_category"].queryset = OffenceCategory.objects.filter(  # type: ignore[attr-defined]
            program_id=membership.program_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data


# --- Actions on a case ----------------------------------------------------------------


class CaseForm(Form):
    """A form about one case. `version` catches edits made by someone else meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        self.case = case
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)

    def participant_choices(self, *roles: str, active_only: bool = True) -> list[tuple[int, str]]:
        people = self.case.participants.select_related("person").order_by("role", "id")
        if roles:
            people = people.filter(role__in=roles)
        if active_only:
            people = people.filter(status=Participant.Status.ACTIVE)
        return [(p.pk, f"{p.person} ({p.get_role_display()})") for p in people]

    def chosen(self, name: str) -> Participant | None:
        """The participant picked in the named field, if any."""
        value = self.cleaned_data.get(name)
        if not value:
            return None
        return self.case.participants.select_related("person").get(pk=value)


class ReasonForm(CaseForm):
    reason = forms.CharField(
        label=_("Reason or note"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class EligibilityForm(CaseForm):
    reason = forms.CharField(
        label=_("Why (a sentence or two)"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    override_justification = forms.CharField(
        label=_("Justification for accepting this offence category"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "Needed only when the category is marked specialist only or excluded. It is "
            "recorded with your name."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.criteria = list(case.program.eligibility_criteria.filter(is_active=True))
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.code}"] = forms.TypedChoiceField(
                label=_(criterion.label),
                choices=[("yes", _("Met")), ("no", _("Not met"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            )
        self.order_fields([f"criterion_{c.code}" for c in self.criteria])
        if case.offence_category.handling == OffenceCategory.Handling.ELIGIBLE:
            del self.fields["override_justification"]

    def answers(self) -> dict[str, bool]:
        return {c.code: self.cleaned_data[f"criterion_{c.code}"] for c in self.criteria}


class DeclineForm(CaseForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=Referral.DeclineReason.choices)
    note = forms.CharField(
        label=_("Notes for the program (the referrer does not see these)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )


class TeamForm(CaseForm):
    lead = forms.ModelChoiceField(label=_("Lead facilitator"), queryset=User.objects.none())
    co_facilitators = forms.ModelMultipleChoiceField(
        label=_("Co-facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    volunteers = forms.ModelMultipleChoiceField(
        label=_("Volunteers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(
            lead=case.lead_facilitator_id,
            co_facilitators=list(
                case.assignments.filter(role="co_facilitator").values_list("user_id", flat=True)
            ),
            volunteers=list(
                case.assignments.filter(role="volunteer").values_list("user_id", flat=True)
            ),
        )
        super().__init__(*args, case=case, **kwargs)

        def holders(*roles: str) -> Any:
            ids = (
                Membership.objects.active()
                .filter(program_id=case.program_id, role__in=roles)
                .values("user_id")
            )
            return User.objects.filter(pk__in=ids, is_active=True).order_by("username")

        staff = (Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN)
        self.fields["lead"].queryset = holders(*staff)  # type: ignore[attr-defined]
        self.fields["co_facilitators"].queryset = holders(*staff)  # type: ignore[attr-defined]
        self.fields["volunteers"].queryset = holders(Role.VOLUNTEER)  # type: ignore[attr-defined]


class ParticipantForm(PartyForm, CaseForm):
    role = forms.ChoiceField(label=_("Role in the case"), choices=Participant.Role.choices)
    supports = forms.TypedChoiceField(
        label=_("Supports"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a support person, parent or guardian: whom they support."),
    )
    takes_part = forms.BooleanField(
        label=_("Will take part in the process"), required=False, initial=True
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["supports"].choices = [("", "-"), *self.participant_choices()]  # type: ignore[attr-defined]
        del self.fields["link_to"]
        self.order_fields(["role", "supports", "takes_part"])


class OfferForm(CaseForm):
    participant = forms.TypedChoiceField(label=_("Harmed party"), coerce=int)
    offered_on = forms.DateField(
        label=_("Offered on"), widget=DateInput, validators=[_not_in_future]
    )
    channel = forms.ChoiceField(label=_("How"), choices=RJOffer.Channel.choices)
    response = forms.ChoiceField(label=_("Their response"), choices=RJOffer.Response.choices)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["offered_on"] = timezone.localdate()
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices(Participant.Role.HARMED)  # type: ignore[attr-defined]


class ConsentForm(CaseForm):
    participant = forms.TypedChoiceField(label=_("Whose consent"), coerce=int)
    purpose = forms.ChoiceField(label=_("Consent to"))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ConsentEntry.Decision.choices, widget=forms.RadioSelect
    )
    guardian = forms.TypedChoiceField(
        label=_("Given by parent or guardian"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For someone under 18, record their own consent and their guardian's."),
    )
    method = forms.ChoiceField(label=_("How"), choices=ConsentEntry.Method.choices)
    decided_on = forms.DateField(label=_("Date"), widget=DateInput, validators=[_not_in_future])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["decided_on"] = timezone.localdate()
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices(active_only=False)  # type: ignore[attr-defined]
        self.fields["purpose"].choices = [  # type: ignore[attr-defined]
            (p, ConsentPurpose(p).label) for p in case.program.consent_purposes
        ]
        self.fields["guardian"].choices = [  # type: ignore[attr-defined]
            ("", "-"),
            *self.participant_choices(Participant.Role.GUARDIAN),
        ]


ASSESSMENT_LABELS = {
    "risk_of_harm": _("Risk of further harm or intimidation"),
    "power_imbalance": _("Power imbalance between the parties"),
    "domestic_abuse_indicators": _("Signs of domestic abuse or coercive control"),
    "wellbeing_affecting_participation": _(
        "Mental health or substance use affecting participation"
    ),
    "capacity_and_readiness": _("Capacity and readiness to take part"),
    "language_and_access": _("Language and accessibility needs"),
    "support_in_place": _("Support in place"),
}


class AssessmentForm(CaseForm):
    participant = forms.TypedChoiceField(label=_("Who was assessed"), coerce=int)
    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=DateInput, validators=[_not_in_future]
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=SafetyAssessment.Result.choices, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Required when suitable with conditions."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["assessed_on"] = timezone.localdate()
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices()  # type: ignore[attr-defined]
        for question in ASSESSMENT_QUESTIONS:
            self.fields[f"q_{question}"] = forms.CharField(
                label=ASSESSMENT_LABELS[question],
                max_length=2000,
                required=False,
                widget=forms.Textarea({"rows": 2}),
            )

    def answers(self) -> dict[str, str]:
        return {
            q: self.cleaned_data[f"q_{q}"]
            for q in ASSESSMENT_QUESTIONS
            if self.cleaned_data.get(f"q_{q}")
        }


class ProcessForm(CaseForm):
    process = forms.ChoiceField(label=_("Restorative process"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["process"] = case.planned_process
        super().__init__(*args, case=case, **kwargs)
        self.fields["process"].choices = [  # type: ignore[attr-defined]
            (p, ProcessType(p).label) for p in case.program.process_types
        ]


class PauseForm(ReasonForm):
    participant = forms.TypedChoiceField(label=_("Who asked"), coerce=int)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices(Participant.Role.HARMED)  # type: ignore[attr-defined]
        self.order_fields(["participant", "reason"])


class WithdrawForm(CaseForm):
    participant = forms.TypedChoiceField(label=_("Who is withdrawing"), coerce=int)
    method = forms.ChoiceField(label=_("How they told us"), choices=ConsentEntry.Method.choices)
    reason = forms.CharField(
        label=_("What they said"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices()  # type: ignore[attr-defined]


class CloseForm(ReasonForm):
    outcome = forms.ChoiceField(label=_("How the case ended"), choices=Outcome.choices)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.order_fields(["outcome", "reason"])


class NoteForm(CaseForm):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea({"rows": 4}))
    restricted = forms.BooleanField(
        label=_("Restricted: only the lead facilitator and coordinators can read it"),
        required=False,
    )


class ContactForm(CaseForm):
    participant = forms.TypedChoiceField(label=_("Who"), coerce=int)
    channel = forms.ChoiceField(label=_("How"), choices=Note.Channel.choices)
    contact_outcome = forms.ChoiceField(
        label=_("What happened"), choices=Note.ContactOutcome.choices
    )
    body = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["participant"].choices = self.participant_choices()  # type: ignore[attr-defined]

"""The forms of the actions on a case. Every one validates on the server.

Each carries the version of the case it was opened on (a colleague's change meanwhile
makes it stale) and a one-time token (sending it twice does the work once). Forms about
one person are opened for that person, from their card on the case page, so what the
form shows (such as their current consent) is always theirs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.forms import PartyForm
from mend.cases.models import (
    Case,
    ConsentEntry,
    Note,
    Participant,
    Person,
    ProtectiveOrder,
    Referral,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.queries import case_facts
from mend.cases.rules import NOT_ASKED
from mend.cases.services import ASSESSMENT_QUESTIONS, possible_matches
from mend.cases.stages import COMPLETION_OUTCOMES, COMPLETION_STAGES, ENDED, Outcome, Stage
from mend.core.forms import DateField, Form
from mend.core.submissions import new_token, token_field
from mend.programs.models import ConsentPurpose, Membership, OffenceCategory, ProcessType
from mend.programs.roles import Role


class CaseForm(Form):
    """A form about one case (and, for some, one person in it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    submission = token_field()

    def __init__(
        self, *args: Any, case: Case, participant: Participant | None = None, **kwargs: Any
    ) -> None:
        self.case = case
        self.participant = participant
        initial = kwargs.setdefault("initial", {})
        initial["version"] = case.version
        initial["submission"] = new_token()
        super().__init__(*args, **kwargs)

    def participant_choices(self, *roles: str) -> list[tuple[Any, str]]:
        people = self.case.participants.select_related("person").order_by("role", "id")
        if roles:
            people = people.filter(role__in=roles)
        people = people.filter(status=Participant.Status.ACTIVE)
        return [(p.pk, f"{p.person} ({p.get_role_display()})") for p in people]

    def chosen(self, name: str) -> Participant | None:
        """The participant picked in the named field, if any."""
        value = self.cleaned_data.get(name)
        if not value:
            return None
        return self.case.participants.select_related("person").get(pk=value)


def person_choice(label: Any, **kwargs: Any) -> forms.TypedChoiceField:
    """A choice of someone in the case; the empty first option means nobody is preselected."""
    return forms.TypedChoiceField(label=label, coerce=int, empty_value=None, **kwargs)


def _with_empty(choices: Any, label: Any) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


class ReasonForm(CaseForm):
    reason = forms.CharField(
        label=_("Note about this step"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


def _holders(case: Case, *roles: str, specialists: bool = False) -> Any:
    members = Membership.objects.active().filter(program_id=case.program_id, role__in=roles)
    if specialists:
        members = members.filter(is_specialist=True)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "username"
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
            "recorded with your name, and coordinators can read it on the case page."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.criteria = list(case.program.eligibility_criteria.filter(is_active=True))
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.display_label,
                choices=[("yes", _("Met")), ("no", _("Not met"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            )
        self.order_fields([f"criterion_{c.code}" for c in self.criteria])
        if case.offence_category.handling == OffenceCategory.Handling.ELIGIBLE:
            del self.fields["override_justification"]
        if not case.lead_facilitator_id:
            # Screening usually ends with choosing who leads: ask here, not on another page.
            specialist_only = (
                case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY
            )
            staff = (Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN)
            self.fields["lead"] = forms.ModelChoiceField(
                label=_("Lead facilitator"),
                queryset=_holders(case, *staff, specialists=specialist_only),
                required=False,
                empty_label=_("Choose later"),
            )

    def answers(self) -> dict[str, bool]:
        return {c.code: self.cleaned_data[f"criterion_{c.code}"] for c in self.criteria}


class DeclineForm(CaseForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=_with_empty(Referral.DeclineReason.choices, _("Choose a reason")),
    )
    note = forms.CharField(
        label=_("Notes for the program (the referrer does not see these)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )


class TeamForm(CaseForm):
    lead = forms.ModelChoiceField(
        label=_("Lead facilitator"), queryset=User.objects.none(), empty_label=_("Choose someone")
    )
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
        staff = (Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN)
        specialist_only = case.offence_category.handling == OffenceCategory.Handling.SPECIALIST_ONLY
        self.fields["lead"].queryset = _holders(case, *staff, specialists=specialist_only)  # type: ignore[attr-defined]
        if specialist_only:
            self.fields["lead"].help_text = _(
                "This offence category is for specialists only: only people the program "
                "marks as specialists can lead it."
            )
        self.fields["co_facilitators"].queryset = _holders(case, *staff)  # type: ignore[attr-defined]
        self.fields["volunteers"].queryset = _holders(case, Role.VOLUNTEER)  # type: ignore[attr-defined]


class ParticipantForm(PartyForm, CaseForm):
    role = forms.ChoiceField(
        label=_("Role in the case"),
        choices=_with_empty(Participant.Role.choices, _("Choose a role")),
    )
    supports = person_choice(
        _("Supports"),
        required=False,
        help_text=_("For a support person, parent or guardian: whom they support."),
    )
    takes_part = forms.BooleanField(
        label=_("Will take part in the process"), required=False, initial=True
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["supports"].choices = _with_empty(self.participant_choices(), _("Nobody"))  # type: ignore[attr-defined]
        del self.fields["link_to"]
        self.order_fields(["role", "supports", "takes_part"])


class PersonForm(CaseForm):
    """A form about the one person it was opened for."""

    def __init__(self, *args: Any, case: Case, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, case=case, participant=participant, **kwargs)


class OfferForm(PersonForm):
    offered_on = DateField(label=_("Offered on"), past=True)
    channel = forms.ChoiceField(
        label=_("How"), choices=_with_empty(RJOffer.Channel.choices, _("Choose how"))
    )
    response = forms.ChoiceField(
        label=_("Their response"),
        choices=_with_empty(RJOffer.Response.choices, _("Choose their response")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["offered_on"] = timezone.localdate()
        super().__init__(*args, **kwargs)


CONSENT_CHOICES: dict[str, Any] = {
    NOT_ASKED: _("Not asked yet"),
    ConsentEntry.Decision.GIVEN: _("Given"),
    ConsentEntry.Decision.DECLINED: _("Declined"),
    ConsentEntry.Decision.WITHDRAWN: _("Withdrawn"),
}
# What each current state may become (keeping it as it is included).
CONSENT_NEXT: dict[str, list[str]] = {
    NOT_ASKED: [NOT_ASKED, ConsentEntry.Decision.GIVEN, ConsentEntry.Decision.DECLINED],
    ConsentEntry.Decision.GIVEN: [ConsentEntry.Decision.GIVEN, ConsentEntry.Decision.WITHDRAWN],
    ConsentEntry.Decision.DECLINED: [ConsentEntry.Decision.DECLINED, ConsentEntry.Decision.GIVEN],
    ConsentEntry.Decision.WITHDRAWN: [
        ConsentEntry.Decision.WITHDRAWN,
        ConsentEntry.Decision.GIVEN,
    ],
}


class ConsentForm(PersonForm):
    """Several consent decisions of one person (or of one guardian for a minor) at once."""

    method = forms.ChoiceField(
        label=_("How they told us"),
        choices=_with_empty(ConsentEntry.Method.choices, _("Choose how")),
    )
    decided_on = DateField(label=_("Date"), past=True)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        participant: Participant,
        guardian: Participant | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})["decided_on"] = timezone.localdate()
        self.guardian = guardian
        facts = case_facts(case)
        self.current: dict[str, str] = {}
        purposes = case.program.offered_purposes
        for purpose in purposes:
            self.current[purpose] = (
                facts.guardian_state(participant, purpose)
                if guardian
                else facts.consent_state(participant, purpose)
            )
            kwargs["initial"][purpose] = self.current[purpose]
        super().__init__(*args, case=case, participant=participant, **kwargs)
        for purpose in purposes:
            self.fields[purpose] = forms.ChoiceField(
                label=ConsentPurpose(purpose).label,
                choices=[
                    (code, CONSENT_CHOICES[code]) for code in CONSENT_NEXT[self.current[purpose]]
                ],
                widget=forms.RadioSelect,
                # Left out, a purpose stays as the ledger has it.
                required=False,
            )
            # Always answered (it starts at the ledger's state): no "optional" hint.
            self.fields[purpose].answered = True  # type: ignore[attr-defined]
        # A harmed party's consent to be contacted follows the restorative justice offer.
        self.needs_offer = participant.role == Participant.Role.HARMED and not facts.offered(
            participant
        )
        if self.needs_offer and ConsentPurpose.CONTACT in purposes:
            self.fields["offered_on"] = DateField(
                label=_("When restorative justice was offered"),
                required=False,
                initial=timezone.localdate(),
                past=True,
                help_text=_("Needed with their first consent to be contacted."),
            )
            self.fields["offer_channel"] = forms.ChoiceField(
                label=_("How it was offered"),
                required=False,
                choices=_with_empty(RJOffer.Channel.choices, _("Choose how")),
            )
        self.order_fields([*purposes, "method", "decided_on", "offered_on", "offer_channel"])

    def decisions(self) -> dict[str, str]:
        """Only what changed: a purpose left as it was is not recorded again."""
        return {
            purpose: self.cleaned_data[purpose]
            for purpose, current in self.current.items()
            if self.cleaned_data.get(purpose) and self.cleaned_data[purpose] != current
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.decisions():
            raise forms.ValidationError(_("Nothing has changed: choose at least one new decision."))
        if self.needs_offer and data.get(ConsentPurpose.CONTACT) == ConsentEntry.Decision.GIVEN:
            if not data.get("offered_on"):
                self.add_error("offered_on", _("Say when restorative justice was offered."))
            if not data.get("offer_channel"):
                self.add_error("offer_channel", _("Say how restorative justice was offered."))
        return data


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


class AssessmentForm(PersonForm):
    assessed_on = DateField(label=_("Assessed on"), past=True)
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["assessed_on"] = timezone.localdate()
        super().__init__(*args, **kwargs)
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
    process = forms.ChoiceField(label=_("Restorative process"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        if case.planned_process:
            kwargs.setdefault("initial", {})["process"] = case.planned_process
        super().__init__(*args, case=case, **kwargs)
        self.fields["process"].choices = [  # type: ignore[attr-defined]
            (p, ProcessType(p).label) for p in case.program.offered_processes
        ]


class PauseForm(ReasonForm):
    requested_by = person_choice(_("Who asked"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["requested_by"].choices = _with_empty(  # type: ignore[attr-defined]
            self.participant_choices(Participant.Role.HARMED), _("Choose the harmed party")
        )
        self.order_fields(["requested_by", "reason"])


class ResumeForm(CaseForm):
    """Resuming is confirmed on behalf of the person who asked for the pause."""


class WithdrawForm(PersonForm):
    method = forms.ChoiceField(
        label=_("How they told us"),
        choices=_with_empty(ConsentEntry.Method.choices, _("Choose how")),
    )
    reason_code = forms.ChoiceField(
        label=_("Why they withdrew"),
        help_text=_("Counted in the reports, never with their name. Leave it if unsure."),
        choices=_with_empty(Participant.WithdrawalReason.choices, _("Not recorded")),
        required=False,
    )
    reason = forms.CharField(
        label=_("What they said"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class CloseForm(ReasonForm):
    outcome = forms.ChoiceField(label=_("How the case ended"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        # Completion only once the parties have met or communicated, and never for a
        # case paused at the harmed party's request.
        can_complete = case.stage in COMPLETION_STAGES
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in Outcome.choices
            if can_complete or value not in COMPLETION_OUTCOMES
        ]
        # What stands in the way of closing as completed with agreement (terms still
        # open, say), worded by the apps that know: shown above the choices.
        self.agreement_open: list[str] = []
        if can_complete:
            facts = case_facts(case)
            self.agreement_open = facts.say(
                registry.stage_conditions(facts, registry.COMPLETING_WITH_AGREEMENT)
            )
        if case.stage == Stage.PAUSED:
            self.fields["outcome"].help_text = _(
                "The case is paused at the harmed party's request, so it cannot be closed as "
                "completed. Resume it first if it was."
            )
        self.order_fields(["outcome", "reason"])


class NoteForm(CaseForm):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea({"rows": 4}))
    restricted = forms.BooleanField(
        label=_("Restricted: only the lead facilitator and coordinators can read it"),
        required=False,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        if case.stage in ENDED:
            # Whatever is added to a closed case says why, in the audit trail.
            self.fields["closed_reason"] = forms.CharField(
                label=_("Why you are adding to a closed case"),
                max_length=500,
                widget=forms.Textarea({"rows": 2}),
                error_messages={
                    "required": _(
                        "This case is closed. Say why you are changing it: the reason is kept "
                        "in the audit trail."
                    )
                },
            )


class ContactForm(PersonForm):
    channel = forms.ChoiceField(
        label=_("How"), choices=_with_empty(Note.Channel.choices, _("Choose how"))
    )
    contact_outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=_with_empty(Note.ContactOutcome.choices, _("Choose what happened")),
    )
    body = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )


class ContactByForm(PersonForm):
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: staff make contact"),
    )

    def __init__(self, *args: Any, case: Case, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["volunteer"] = participant.contact_by_id
        super().__init__(*args, case=case, participant=participant, **kwargs)
        self.fields["volunteer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            case_assignments__case=case, case_assignments__role="volunteer"
        ).order_by("username")


class LinkPersonForm(PersonForm):
    person = forms.TypedChoiceField(
        label=_("The same person as"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, case: Case, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, case=case, participant=participant, **kwargs)
        self.matches = possible_matches(participant)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (
                p.pk,
                _("%(name)s, born %(born)s, known since %(since)s")
                % {"name": p, "born": p.date_of_birth, "since": timezone.localdate(p.created_at)},
            )
            for p in self.matches
        ]

    def chosen_person(self) -> Person:
        return next(p for p in self.matches if p.pk == self.cleaned_data["person"])


class OrderForm(PersonForm):
    kind = forms.ChoiceField(
        label=_("Kind of order"),
        choices=_with_empty(ProtectiveOrder.Kind.choices, _("Choose the kind of order")),
    )
    starts_on = DateField(label=_("Starts on"))
    ends_on = DateField(
        label=_("Ends on"),
        required=False,
        help_text=_("The first day it no longer applies. Leave empty if nobody knows yet."),
    )
    notes = forms.CharField(
        label=_("Terms and notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What the order forbids, and who made it. Only the case staff read this."),
    )


class ChooseOrderForm(PersonForm):
    """A form about one of the person's active orders (preselected when there is one)."""

    order = forms.TypedChoiceField(label=_("Order"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, case: Case, participant: Participant, **kwargs: Any) -> None:
        facts = case_facts(case)
        self.orders = [o for o in facts.active_orders(participant) if self.offers(o)]
        if len(self.orders) == 1:
            kwargs.setdefault("initial", {})["order"] = self.orders[0].pk
        super().__init__(*args, case=case, participant=participant, **kwargs)
        self.fields["order"].choices = [  # type: ignore[attr-defined]
            (
                o.pk,
                _("%(kind)s, since %(since)s")
                % {"kind": o.get_kind_display(), "since": o.starts_on},
            )
            for o in self.orders
        ]

    def offers(self, order: ProtectiveOrder) -> bool:
        return True

    def chosen_order(self) -> ProtectiveOrder:
        return next(o for o in self.orders if o.pk == self.cleaned_data["order"])


class EndOrderForm(ChooseOrderForm):
    ends_on = DateField(label=_("Ends on"), help_text=_("The first day it no longer applies."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["ends_on"] = timezone.localdate()
        super().__init__(*args, **kwargs)


class PermitMeetingForm(ChooseOrderForm):
    reason = forms.CharField(
        label=_("Why the order permits a joint meeting"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("For example, the court varied the order to allow restorative justice."),
    )

    def offers(self, order: ProtectiveOrder) -> bool:
        return not order.permits_meeting


class WithdrawPermissionForm(ChooseOrderForm):
    def offers(self, order: ProtectiveOrder) -> bool:
        return order.permits_meeting

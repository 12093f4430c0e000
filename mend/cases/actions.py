"""The things a person can do to a case, each a form and one service call.

Each action says who may do it (a capability), when it makes sense (the case's stage),
which form it shows and what it does. Actions about one person (`for_person`) are opened
from that person's card. The case page offers only the actions allowed now, and the action
view refuses the rest with a plain sentence.

Every handler passes the version the form was opened on to its service, which refuses it
when the case has changed since (`test_every_action_refuses_a_stale_form` holds each to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mend.accounts.models import User
from mend.cases import action_forms as forms
from mend.cases import services
from mend.cases.forms import party_details
from mend.cases.models import Case, Participant
from mend.cases.rules import CaseFacts, may_contact
from mend.cases.stages import NEXT, OPEN, PAUSABLE, Stage
from mend.programs.models import Membership

Handler = Callable[[Any, Case, User], str]
# Whether an action about one person applies to this participant.
Applies = Callable[[Participant, CaseFacts], bool]


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    capability: str
    form: type[forms.CaseForm]
    handler: Handler
    stages: frozenset[str]
    # Shown as the main button rather than in the list of other actions.
    primary: bool = False
    lead_only: bool = False
    # For actions about one person: which people it applies to.
    for_person: Applies | None = None
    # A move whose only field is an optional note: offered as a button on the case page.
    inline: bool = False
    # More arguments for the form, read from the request (an added action about one
    # meeting reads which meeting): (request, case) -> keyword arguments.
    opened_with: Callable[[Any, Case], dict[str, Any]] | None = None
    # False: offered from the app's own section of the case page, not the list of actions.
    listed: bool = True

    def allowed(self, case: Case, membership: Membership) -> bool:
        if case.stage not in self.stages or not membership.can(self.capability):
            return False
        if self.lead_only and not membership.can("cases.view_all"):
            return case.lead_facilitator_id == membership.user_id
        return True

    def applies_to(self, participant: Participant, facts: CaseFacts) -> bool:
        return self.for_person is not None and self.for_person(participant, facts)


def _version(form: forms.CaseForm) -> int:
    return int(form.cleaned_data["version"])


def _person(form: forms.CaseForm) -> Participant:
    assert form.participant is not None
    return form.participant


def _move(to: str) -> Handler:
    def handler(form: Any, case: Case, by: User) -> str:
        services.move_case(
            case=case,
            to=to,
            by=by,
            reason=form.cleaned_data["reason"],
            expected_version=_version(form),
        )
        return str(MOVE_MESSAGES.get(to, _("The case moved to %(stage)s."))) % {
            "stage": Stage(to).label
        }

    return handler


MOVE_MESSAGES: dict[str, Any] = {
    Stage.SCREENING: gettext_lazy("Screening has started."),
    Stage.CONTACT: gettext_lazy(
        "The referral is accepted. Next: contact the parties and record their consent."
    ),
}


def _forward(form: Any, case: Case, by: User) -> str:
    return _move(NEXT[case.stage])(form, case, by)


BACK = {
    Stage.PREPARATION: Stage.CONTACT,
    Stage.PROCESS: Stage.PREPARATION,
    Stage.AGREEMENT: Stage.PROCESS,
}


def _back(form: Any, case: Case, by: User) -> str:
    to = BACK[Stage(case.stage)]
    _move(to)(form, case, by)
    return _("The case moved back to %(stage)s.") % {"stage": Stage(to).label}


def _eligibility(form: Any, case: Case, by: User) -> str:
    decision = services.decide_eligibility(
        case=case,
        answers=form.answers(),
        reason=form.cleaned_data["reason"],
        override_justification=form.cleaned_data.get("override_justification", ""),
        by=by,
        expected_version=_version(form),
    )
    lead = form.cleaned_data.get("lead")
    if lead is not None:
        # The same form, one version on: the decision above is this person's own change.
        team = list(case.assignments.select_related("user"))
        services.assign_team(
            case=case,
            lead=lead,
            co_facilitators=[a.user for a in team if a.role == "co_facilitator"],
            volunteers=[a.user for a in team if a.role == "volunteer"],
            by=by,
            expected_version=case.version,
        )
    return _("Recorded: eligible.") if decision.passed else _("Recorded: not eligible.")


def _decline(form: Any, case: Case, by: User) -> str:
    services.decline_referral(
        case=case,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        by=by,
        expected_version=_version(form),
    )
    return _("The referral was declined. The referrer sees the reason category only.")


def _team(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.assign_team(
        case=case,
        lead=data["lead"],
        co_facilitators=list(data["co_facilitators"]),
        volunteers=list(data["volunteers"]),
        by=by,
        expected_version=_version(form),
    )
    return _("The team was saved.")


def _participant(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    participant = services.add_participant(
        case=case,
        party=party_details(data),
        role=data["role"],
        supports=form.chosen("supports"),
        takes_part=data["takes_part"],
        by=by,
        expected_version=_version(form),
    )
    return _("%(name)s was added.") % {"name": participant.person}


def _offer(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.record_rj_offer(
        participant=_person(form),
        offered_on=data["offered_on"],
        channel=data["channel"],
        response=data["response"],
        by=by,
        expected_version=_version(form),
    )
    return _("The offer was recorded.")


def _consent(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    offer = None
    if data.get("offered_on") and data.get("offer_channel"):
        offer = services.OfferDetails(data["offered_on"], data["offer_channel"])
    entries = services.record_consents(
        participant=_person(form),
        decisions=form.decisions(),
        method=data["method"],
        decided_on=data["decided_on"],
        note=data["note"],
        guardian=form.guardian,
        offer=offer,
        by=by,
        expected_version=_version(form),
    )
    count = len(entries)
    return ngettext(
        "%(count)d consent decision was recorded.",
        "%(count)d consent decisions were recorded.",
        count,
    ) % {"count": count}


def _assessment(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.record_assessment(
        participant=_person(form),
        assessed_on=data["assessed_on"],
        result=data["result"],
        conditions=data["conditions"],
        answers=form.answers(),
        by=by,
        expected_version=_version(form),
    )
    return _("The safety assessment was recorded.")


def _process(form: Any, case: Case, by: User) -> str:
    services.choose_process(
        case=case, process=form.cleaned_data["process"], by=by, expected_version=_version(form)
    )
    return _("The planned process was saved.")


def _pause(form: Any, case: Case, by: User) -> str:
    services.pause_case(
        case=case,
        requested_by=form.chosen("requested_by"),
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
    )
    return _("The case is paused. Only the person who asked can ask to resume it.")


def _resume(form: Any, case: Case, by: User) -> str:
    assert case.paused_by is not None
    services.resume_case(
        case=case, requested_by=case.paused_by, by=by, expected_version=_version(form)
    )
    return _("The case has resumed.")


def _withdraw(form: Any, case: Case, by: User) -> str:
    participant = _person(form)
    services.withdraw_participant(
        participant=participant,
        method=form.cleaned_data["method"],
        reason=form.cleaned_data["reason"],
        reason_code=form.cleaned_data["reason_code"],
        by=by,
        expected_version=_version(form),
    )
    return _("%(name)s has withdrawn.") % {"name": participant.person}


def _close(form: Any, case: Case, by: User) -> str:
    services.close_case(
        case=case,
        outcome=form.cleaned_data["outcome"],
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
    )
    return _("The case is closed.")


def _note(form: Any, case: Case, by: User) -> str:
    services.add_note(
        case=case,
        body=form.cleaned_data["body"],
        restricted=form.cleaned_data["restricted"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.cleaned_data.get("closed_reason", ""),
    )
    return _("The note was added.")


def _contact(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.record_contact(
        case=case,
        participant=_person(form),
        channel=data["channel"],
        outcome=data["contact_outcome"],
        body=data["body"],
        by=by,
        expected_version=_version(form),
    )
    return _("The contact attempt was recorded.")


def _contact_by(form: Any, case: Case, by: User) -> str:
    participant = _person(form)
    volunteer = form.cleaned_data["volunteer"]
    services.assign_contact(
        case=case,
        participant=participant,
        volunteer=volunteer,
        by=by,
        expected_version=_version(form),
    )
    if volunteer is None:
        return _("Staff will contact %(name)s.") % {"name": participant.person}
    return _("%(volunteer)s is asked to contact %(name)s.") % {
        "volunteer": volunteer.display_name,
        "name": participant.person,
    }


def _link(form: Any, case: Case, by: User) -> str:
    participant = _person(form)
    services.link_person(
        participant=participant,
        person=form.chosen_person(),
        by=by,
        expected_version=_version(form),
    )
    return _("%(name)s is now linked to the record the program already had.") % {
        "name": participant.person
    }


def _order(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    order = services.record_order(
        participant=_person(form),
        kind=data["kind"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        notes=data["notes"],
        by=by,
        expected_version=_version(form),
    )
    return _("The %(kind)s was recorded.") % {"kind": str(order.get_kind_display()).lower()}


def _order_end(form: Any, case: Case, by: User) -> str:
    services.end_order(
        order=form.chosen_order(),
        ends_on=form.cleaned_data["ends_on"],
        by=by,
        expected_version=_version(form),
    )
    return _("The order's end was recorded.")


def _order_permits(form: Any, case: Case, by: User) -> str:
    services.permit_meeting(
        order=form.chosen_order(),
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
    )
    return _("Recorded: the order permits a joint meeting.")


def _order_withdraw(form: Any, case: Case, by: User) -> str:
    services.withdraw_meeting_permission(
        order=form.chosen_order(), by=by, expected_version=_version(form)
    )
    return _("The order blocks joint meetings again.")


def _active(participant: Participant, facts: CaseFacts) -> bool:
    return participant.is_active


def _harmed(participant: Participant, facts: CaseFacts) -> bool:
    return participant.is_active and participant.role == Participant.Role.HARMED


def _contactable(participant: Participant, facts: CaseFacts) -> bool:
    return may_contact(facts, participant) is None


def _has_matches(participant: Participant, facts: CaseFacts) -> bool:
    return bool(services.possible_matches(participant))


def _under_order(participant: Participant, facts: CaseFacts) -> bool:
    return bool(facts.active_orders(participant))


def _order_blocks(participant: Participant, facts: CaseFacts) -> bool:
    return facts.order_notice(participant) is not None


def _order_permits_meeting(participant: Participant, facts: CaseFacts) -> bool:
    return any(o.permits_meeting for o in facts.active_orders(participant))


SCREENING = frozenset({Stage.REFERRAL, Stage.SCREENING})
WORKING = frozenset(OPEN - {Stage.PAUSED})

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "screen",
            gettext_lazy("Start screening"),
            "referrals.screen",
            forms.ReasonForm,
            _move(Stage.SCREENING),
            frozenset({Stage.REFERRAL}),
            primary=True,
            inline=True,
        ),
        Action(
            "eligibility",
            gettext_lazy("Decide eligibility"),
            "referrals.screen",
            forms.EligibilityForm,
            _eligibility,
            SCREENING,
        ),
        Action(
            "link",
            gettext_lazy("Link to a person already known"),
            "referrals.screen",
            forms.LinkPersonForm,
            _link,
            SCREENING,
            for_person=_has_matches,
        ),
        Action(
            "team", gettext_lazy("Assign the team"), "cases.assign", forms.TeamForm, _team, OPEN
        ),
        Action(
            "accept",
            gettext_lazy("Accept the referral"),
            "referrals.screen",
            forms.ReasonForm,
            _move(Stage.CONTACT),
            frozenset({Stage.SCREENING}),
            primary=True,
            inline=True,
        ),
        Action(
            "decline",
            gettext_lazy("Decline the referral"),
            "referrals.screen",
            forms.DeclineForm,
            _decline,
            SCREENING,
        ),
        Action(
            "forward",
            gettext_lazy("Move to the next stage"),
            "cases.work",
            forms.ReasonForm,
            _forward,
            frozenset({Stage.CONTACT, Stage.PREPARATION, Stage.PROCESS}),
            primary=True,
            inline=True,
        ),
        Action(
            "participant",
            gettext_lazy("Add a person"),
            "cases.work",
            forms.ParticipantForm,
            _participant,
            OPEN,
        ),
        Action(
            "offer",
            gettext_lazy("Record an RJ offer"),
            "cases.work",
            forms.OfferForm,
            _offer,
            OPEN,
            for_person=_harmed,
        ),
        Action(
            "consent",
            gettext_lazy("Record consent"),
            "cases.work",
            forms.ConsentForm,
            _consent,
            OPEN,
            for_person=_active,
        ),
        Action(
            "assessment",
            gettext_lazy("Record a safety assessment"),
            "cases.work",
            forms.AssessmentForm,
            _assessment,
            OPEN,
            for_person=_active,
        ),
        Action(
            "order",
            gettext_lazy("Record a no-contact or protective order"),
            "cases.work",
            forms.OrderForm,
            _order,
            OPEN,
            for_person=_active,
        ),
        Action(
            "order_permits",
            gettext_lazy("Record that the order permits a joint meeting"),
            "cases.clear_orders",
            forms.PermitMeetingForm,
            _order_permits,
            OPEN,
            for_person=_order_blocks,
        ),
        Action(
            "order_permission_withdraw",
            gettext_lazy("Withdraw the order's permission for a joint meeting"),
            "cases.clear_orders",
            forms.WithdrawPermissionForm,
            _order_withdraw,
            OPEN,
            for_person=_order_permits_meeting,
        ),
        Action(
            "order_end",
            gettext_lazy("Record when the order ends"),
            "cases.work",
            forms.EndOrderForm,
            _order_end,
            OPEN,
            for_person=_under_order,
        ),
        Action(
            "process",
            gettext_lazy("Choose the process"),
            "cases.work",
            forms.ProcessForm,
            _process,
            WORKING - SCREENING,
        ),
        Action(
            "contact",
            gettext_lazy("Record a contact attempt"),
            "cases.note",
            forms.ContactForm,
            _contact,
            OPEN,
            for_person=_contactable,
        ),
        Action(
            "contact_by",
            gettext_lazy("Ask a volunteer to make contact"),
            "cases.assign",
            forms.ContactByForm,
            _contact_by,
            WORKING - SCREENING,
            for_person=_contactable,
        ),
        Action(
            "note",
            gettext_lazy("Add a note"),
            "cases.note",
            forms.NoteForm,
            _note,
            frozenset(Stage),
        ),
        Action(
            "back",
            gettext_lazy("Move back a stage"),
            "cases.work",
            forms.ReasonForm,
            _back,
            frozenset(BACK),
        ),
        Action(
            "pause",
            gettext_lazy("Pause at the harmed party's request"),
            "cases.work",
            forms.PauseForm,
            _pause,
            PAUSABLE,
        ),
        Action(
            "resume",
            gettext_lazy("Resume"),
            "cases.work",
            forms.ResumeForm,
            _resume,
            frozenset({Stage.PAUSED}),
            primary=True,
        ),
        Action(
            "withdraw",
            gettext_lazy("Record a withdrawal"),
            "cases.work",
            forms.WithdrawForm,
            _withdraw,
            OPEN,
            for_person=_active,
        ),
        Action(
            "close",
            gettext_lazy("Close the case"),
            "cases.work",
            forms.CloseForm,
            _close,
            OPEN - SCREENING,
        ),
    ]
}


# Where each move action leads, to say on the case page why it cannot succeed yet.
MOVE_TARGETS: dict[str, Callable[[Case], str | None]] = {
    "screen": lambda case: Stage.SCREENING,
    "accept": lambda case: Stage.CONTACT,
    "forward": lambda case: NEXT.get(case.stage),
}

"""The things a person can do to a case, each a form and one service call.

Each action says who may do it (a capability), when it makes sense (the case's stage),
which form it shows and what it does. The case page offers only the actions allowed now,
and the action view refuses the rest with a plain sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.accounts.models import User
from mend.cases import forms, services
from mend.cases.models import Case, Participant
from mend.cases.stages import NEXT, OPEN, PAUSABLE, Stage
from mend.programs.models import Membership

Handler = Callable[[Any, Case, User], str]


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

    def allowed(self, case: Case, membership: Membership) -> bool:
        if case.stage not in self.stages or not membership.can(self.capability):
            return False
        if self.lead_only and not membership.can("cases.view_all"):
            return case.lead_facilitator_id == membership.user_id
        return True


def _person(form: forms.CaseForm, name: str = "participant") -> Participant:
    participant = form.chosen(name)
    assert participant is not None
    return participant


def _version(form: forms.CaseForm) -> int:
    return int(form.cleaned_data["version"])


def _start_screening(form: Any, case: Case, by: User) -> str:
    services.move_case(
        case=case,
        to=Stage.SCREENING,
        by=by,
        reason=form.cleaned_data["reason"],
        expected_version=_version(form),
    )
    return _("Screening has started.")


def _eligibility(form: Any, case: Case, by: User) -> str:
    decision = services.decide_eligibility(
        case=case,
        answers=form.answers(),
        reason=form.cleaned_data["reason"],
        override_justification=form.cleaned_data.get("override_justification", ""),
        by=by,
        expected_version=_version(form),
    )
    return _("Recorded: eligible.") if decision.passed else _("Recorded: not eligible.")


def _accept(form: Any, case: Case, by: User) -> str:
    services.move_case(
        case=case,
        to=Stage.CONTACT,
        by=by,
        reason=form.cleaned_data["reason"],
        expected_version=_version(form),
    )
    return _("The referral is accepted. Next: contact the parties and record their consent.")


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
    )
    return _("The team was saved.")


def _participant(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    party = forms.party_details(data)
    participant = services.add_participant(
        case=case,
        party=party,
        role=data["role"],
        supports=form.chosen("supports"),
        takes_part=data["takes_part"],
        by=by,
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
    )
    return _("The offer was recorded.")


def _consent(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.record_consent(
        participant=_person(form),
        purpose=data["purpose"],
        decision=data["decision"],
        method=data["method"],
        decided_on=data["decided_on"],
        note=data["note"],
        guardian=form.chosen("guardian"),
        by=by,
    )
    return _("The consent entry was recorded.")


def _assessment(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.record_assessment(
        participant=_person(form),
        assessed_on=data["assessed_on"],
        result=data["result"],
        conditions=data["conditions"],
        answers=form.answers(),
        by=by,
    )
    return _("The safety assessment was recorded.")


def _process(form: Any, case: Case, by: User) -> str:
    services.choose_process(case=case, process=form.cleaned_data["process"], by=by)
    return _("The planned process was saved.")


def _forward(form: Any, case: Case, by: User) -> str:
    to = NEXT[case.stage]
    services.move_case(
        case=case,
        to=to,
        by=by,
        reason=form.cleaned_data["reason"],
        expected_version=_version(form),
    )
    return _("The case moved to %(stage)s.") % {"stage": Stage(to).label}


def _back(form: Any, case: Case, by: User) -> str:
    to = {
        Stage.PREPARATION: Stage.CONTACT,
        Stage.PROCESS: Stage.PREPARATION,
        Stage.AGREEMENT: Stage.PROCESS,
    }[Stage(case.stage)]
    services.move_case(
        case=case,
        to=to,
        by=by,
        reason=form.cleaned_data["reason"],
        expected_version=_version(form),
    )
    return _("The case moved back to %(stage)s.") % {"stage": Stage(to).label}


def _pause(form: Any, case: Case, by: User) -> str:
    services.pause_case(
        case=case,
        requested_by=_person(form),
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
    )
    return _("The case is paused. Only the person who asked can ask to resume it.")


def _resume(form: Any, case: Case, by: User) -> str:
    services.resume_case(
        case=case, requested_by=_person(form), by=by, expected_version=_version(form)
    )
    return _("The case has resumed.")


def _withdraw(form: Any, case: Case, by: User) -> str:
    participant = _person(form)
    services.withdraw_participant(
        participant=participant,
        method=form.cleaned_data["method"],
        reason=form.cleaned_data["reason"],
        by=by,
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
        case=case, body=form.cleaned_data["body"], restricted=form.cleaned_data["restricted"], by=by
    )
    return _("The note was added.")


def _contact(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.add_note(
        case=case,
        body=data["body"],
        participant=_person(form),
        channel=data["channel"],
        contact_outcome=data["contact_outcome"],
        by=by,
    )
    return _("The contact attempt was recorded.")


class ResumeForm(forms.PauseForm):
    pass


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
            _start_screening,
            frozenset({Stage.REFERRAL}),
            primary=True,
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
            "team", gettext_lazy("Assign the team"), "cases.assign", forms.TeamForm, _team, OPEN
        ),
        Action(
            "accept",
            gettext_lazy("Accept the referral"),
            "referrals.screen",
            forms.ReasonForm,
            _accept,
            frozenset({Stage.SCREENING}),
            primary=True,
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
            "offer", gettext_lazy("Record an RJ offer"), "cases.work", forms.OfferForm, _offer, OPEN
        ),
        Action(
            "consent",
            gettext_lazy("Record consent"),
            "cases.work",
            forms.ConsentForm,
            _consent,
            OPEN,
        ),
        Action(
            "assessment",
            gettext_lazy("Record a safety assessment"),
            "cases.work",
            forms.AssessmentForm,
            _assessment,
            OPEN,
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
            frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT}),
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
            ResumeForm,
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

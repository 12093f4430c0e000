"""How the conference record, confirming a meeting and the stage rules on meetings plug
into cases: two actions, the sentences of their audit rows, the rules and their wordings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.actions import Action
from mend.cases.models import Case
from mend.cases.stages import Stage
from mend.core.audit_sentences import register as register_sentence
from mend.core.numbers import whole_number
from mend.processes import forms, record_forms, record_services, services, stage_rules

MEETING_STAGES = frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})
# A record is written after the joint meeting, while the agreement work goes on.
RECORD_STAGES = frozenset({Stage.PROCESS, Stage.AGREEMENT})


def _which_meeting(request: HttpRequest, case: Case) -> dict[str, Any]:
    raw = request.GET.get("meeting") or ""
    number = whole_number(raw)
    return {} if number is None else {"meeting": number}


def _record(form: Any, case: Case, by: User) -> str:
    meeting = form.held_meeting
    if meeting is None or meeting.pk != form.cleaned_data["meeting"]:
        meeting = record_forms.held_joint_meetings(case).get(pk=form.cleaned_data["meeting"])
    raw = form.cleaned_data.get("record_version")
    record_services.record_conference(
        case=case,
        meeting=meeting,
        details=form.details(),
        by=by,
        expected_version=int(form.cleaned_data["version"]),
        record_version=int(raw) if raw is not None else None,
    )
    return _("The conference record is saved.")


def _confirm(form: Any, case: Case, by: User) -> str:
    services.confirm_meeting(
        case=case,
        meeting=form.chosen_meeting(),
        by=by,
        expected_version=int(form.cleaned_data["version"]),
    )
    return _("The meeting is confirmed.")


ACTIONS = [
    Action(
        "conference_record",
        gettext_lazy("Record the conference"),
        "cases.work",
        record_forms.ConferenceRecordForm,
        _record,
        RECORD_STAGES,
        opened_with=_which_meeting,
        listed=False,
    ),
    Action(
        "meeting_confirm",
        gettext_lazy("Confirm a meeting"),
        "cases.work",
        forms.ConfirmForm,
        _confirm,
        MEETING_STAGES,
        opened_with=_which_meeting,
        listed=False,
    ),
]


def register_sentences(sentence: Any) -> None:
    for code, text in (
        ("conference.recorded", gettext_lazy("%(who)s recorded a conference in %(case)s")),
        (
            "conference.record_changed",
            gettext_lazy("%(who)s changed the record of a conference in %(case)s"),
        ),
    ):
        register_sentence(code, sentence(text), group="cases")


def plug_in(sentence: Any) -> None:
    for action in ACTIONS:
        registry.add_case_action(action)
    registry.add_stage_condition(stage_rules.agreement_needs_contact)
    registry.add_stage_condition(stage_rules.completion_needs_session_log)
    stage_rules.register_wordings()
    register_sentences(sentence)
    # The demo's cases reach agreement only once their process has taken place.
    from mend.cases import demo
    from mend.processes import demo_story

    demo.add_happened(demo_story.record)

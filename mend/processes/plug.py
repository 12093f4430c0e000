"""How processes plugs into cases: its actions, its section of the case page, its timeline
entries, the sentences of its refusals and audit rows, and the automatic cancellation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.actions import Action
from mend.cases.audit_sentences import case_named
from mend.cases.models import Case
from mend.cases.stages import Stage
from mend.cases.timeline import Entry
from mend.core.audit_sentences import Reading, Sentence, who
from mend.core.audit_sentences import register as register_sentence
from mend.core.languages import language_name
from mend.core.models import AuditEvent
from mend.processes import forms, gates, letters_plug, queries, services
from mend.processes.models import Meeting
from mend.programs.models import Membership

MEETING_STAGES = frozenset({Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


def _details(form: Any, kind: str, invitees: tuple[Any, ...]) -> services.MeetingDetails:
    data = form.cleaned_data
    return services.MeetingDetails(
        kind=kind,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        venue_kind=data["venue_kind"],
        venue=data["venue"],
        lead=data["lead"],
        invitees=invitees,
        room=data.get("room"),
        co_facilitators=tuple(data.get("co_facilitators") or ()),
        interpreter_language=data.get("interpreter_language") or "",
    )


def _schedule(form: Any, case: Case, by: User) -> str:
    meeting = services.schedule_meeting(
        case=case,
        details=_details(form, form.cleaned_data["kind"], form.chosen_invitees()),
        by=by,
        expected_version=_version(form),
        acknowledged=bool(form.cleaned_data.get("acknowledged")),
    )
    return _("The meeting is planned for %(time)s.") % {
        "time": services.local_time(meeting.starts_at, case)
    }


def _change(form: Any, case: Case, by: User) -> str:
    meeting = form.chosen_meeting()
    meeting = services.change_meeting(
        case=case,
        meeting=meeting,
        # The service keeps the meeting's kind and invitees.
        details=_details(form, meeting.kind, ()),
        by=by,
        expected_version=_version(form),
        acknowledged=bool(form.cleaned_data.get("acknowledged")),
    )
    return _("The meeting is changed: it is now on %(time)s.") % {
        "time": services.local_time(meeting.starts_at, case)
    }


def _held(form: Any, case: Case, by: User) -> str:
    meeting = form.chosen_meeting()
    came = set(form.cleaned_data["attended"])
    invited = meeting.invitees.values_list("participant_id", flat=True)
    services.mark_held(
        case=case,
        meeting=meeting,
        attended={pk: pk in came for pk in invited},
        duration_minutes=form.cleaned_data["duration_minutes"],
        by=by,
        expected_version=_version(form),
    )
    return _("The meeting is recorded as held.")


def _cancel(form: Any, case: Case, by: User) -> str:
    services.cancel_meeting(
        case=case,
        meeting=form.chosen_meeting(),
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
    )
    return _("The meeting is cancelled.")


def _which_meeting(request: HttpRequest, case: Case) -> dict[str, Any]:
    raw = request.GET.get("meeting") or ""
    return {"meeting": int(raw)} if raw.isdigit() else {}


ACTIONS = [
    Action(
        "meeting",
        gettext_lazy("Plan a meeting"),
        "cases.work",
        forms.MeetingForm,
        _schedule,
        MEETING_STAGES,
        listed=False,
    ),
    Action(
        "meeting_change",
        gettext_lazy("Change the time or place"),
        "cases.work",
        forms.MeetingChangeForm,
        _change,
        MEETING_STAGES,
        opened_with=_which_meeting,
        listed=False,
    ),
    Action(
        "meeting_held",
        gettext_lazy("Record that it was held"),
        "cases.work",
        forms.HeldForm,
        _held,
        MEETING_STAGES,
        opened_with=_which_meeting,
        listed=False,
    ),
    Action(
        "meeting_cancel",
        gettext_lazy("Cancel a meeting"),
        "cases.work",
        forms.CancelForm,
        _cancel,
        MEETING_STAGES,
        opened_with=_which_meeting,
        listed=False,
    ),
]


def meetings_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    meetings = list(
        queries.meetings_of_case(membership, case)
        .select_related("lead", "room")
        .prefetch_related("invitees__participant__person", "co_facilitators")
    )
    allowed = {a.name for a in ACTIONS if a.allowed(case, membership)}
    rows = [
        {
            "meeting": m,
            "when": services.local_time(m.starts_at, case),
            "until": services.local_time(m.ends_at, case),
            "invitees": list(m.invitees.all()),
            # A home visit's address is the case team's only.
            "venue": queries.venue_shown(membership, m, case),
            "co_facilitators": [u.display_name for u in m.co_facilitators.all()],
            "interpreter": language_name(m.interpreter_language),
        }
        for m in meetings
    ]
    return render_to_string(
        "processes/meetings_section.html",
        {
            "case": case,
            "rows": rows,
            "allowed": allowed,
            "zone": case.program.time_zone,
            "manages_rooms": membership.can("venues.manage"),
        },
        request=request,
    )


def meeting_entries(case: Case) -> list[Entry]:
    entries = []
    titles = {
        "meeting.scheduled": gettext_lazy("%(kind)s planned for %(time)s"),
        "meeting.confirmed": gettext_lazy("%(kind)s of %(time)s confirmed"),
        "meeting.changed": gettext_lazy("%(kind)s changed: now %(time)s"),
        "meeting.held": gettext_lazy("%(kind)s of %(time)s held"),
        "meeting.cancelled": gettext_lazy("%(kind)s of %(time)s cancelled"),
        "meeting.cancelled_automatically": gettext_lazy("%(kind)s of %(time)s cancelled"),
    }
    events = AuditEvent.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), action__in=list(titles)
    ).select_related("actor")
    meetings = {str(m.pk): m for m in Meeting.objects.filter(case=case)}
    for event in events:
        meeting = meetings.get(event.object_id)
        if meeting is None:
            continue
        text = ""
        if event.action.startswith("meeting.cancelled"):
            text = (
                str(Meeting.CancelReason(meeting.cancel_reason).label)
                if (meeting.cancel_reason in Meeting.CancelReason.values)
                else ""
            )
        entries.append(
            Entry(
                event.occurred_at,
                "meeting",
                str(titles[event.action])
                % {
                    "kind": meeting.get_kind_display(),
                    "time": services.local_time(meeting.starts_at, case),
                },
                event.actor.display_name if event.actor else _("Mend"),
                text,
                automatic=event.action == "meeting.cancelled_automatically",
            )
        )
    return entries


def _sentence(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "case": case_named(event, reading)})

    return render


def register_sentences() -> None:
    def meeting(code: str, text: Any) -> None:
        register_sentence(code, _sentence(text), group="cases")

    meeting("meeting.scheduled", gettext_lazy("%(who)s planned a meeting in %(case)s"))
    meeting("meeting.confirmed", gettext_lazy("%(who)s confirmed a meeting in %(case)s"))
    meeting("meeting.changed", gettext_lazy("%(who)s changed a meeting in %(case)s"))
    meeting("meeting.held", gettext_lazy("%(who)s recorded a meeting held in %(case)s"))
    meeting("meeting.cancelled", gettext_lazy("%(who)s cancelled a meeting in %(case)s"))
    meeting(
        "meeting.cancelled_automatically",
        gettext_lazy("A meeting in %(case)s was cancelled automatically"),
    )

    def program_event(code: str, text: Any, group: str = "program") -> None:
        def render(event: AuditEvent, reading: Reading) -> Sentence:
            return Sentence(text, {"who": who(event), "name": event.details.get("name", "")})

        register_sentence(code, render, group=group)

    program_event("venue.created", gettext_lazy("%(who)s added the room %(name)s"))
    program_event("venue.changed", gettext_lazy("%(who)s changed the room %(name)s"))
    program_event("venue.retired", gettext_lazy("%(who)s retired the room %(name)s"))
    program_event("availability.added", gettext_lazy("%(who)s added a time they are available"))
    program_event("availability.removed", gettext_lazy("%(who)s removed a time they are available"))


def plug_in() -> None:
    for action in ACTIONS:
        registry.add_case_action(action)
    registry.add_case_section(meetings_section)
    registry.add_timeline_source(meeting_entries)
    registry.add_case_changed(services.cancel_what_no_longer_holds)
    gates.register_wordings()
    register_sentences()
    letters_plug.plug_in(_sentence)

"""How processes plugs into cases: its actions, its section of the case page, its timeline
entries, the sentences of its refusals and audit rows, and the automatic cancellation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
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
from mend.core.numbers import whole_number
from mend.processes import forms, gates, letters_plug, queries, record_plug, services
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
    number = whole_number(raw)
    return {} if number is None else {"meeting": number}


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


def meeting_row(
    meeting: Meeting,
    case: Case,
    membership: Membership,
    records: dict[int, Any] | None = None,
    *,
    sees_record: bool = False,
) -> dict[str, Any]:
    """What the case page and the meeting page show of a meeting, for this reader.

    Expects the meeting's lead, room, invitees and co-facilitators loaded with it, and the
    conference records (by meeting) when the reader may see them."""
    return {
        "meeting": meeting,
        "when": services.local_time(meeting.starts_at, case),
        "until": services.local_time(meeting.ends_at, case),
        "invitees": list(meeting.invitees.all()),
        # A home visit's address is the case team's only.
        "venue": queries.venue_shown(membership, meeting, case),
        "co_facilitators": [u.display_name for u in meeting.co_facilitators.all()],
        "interpreter": language_name(meeting.interpreter_language),
        "record": (records or {}).get(meeting.pk),
        "may_record": sees_record and meeting.is_joint and meeting.status == Meeting.Status.HELD,
    }


def with_what_is_shown(meetings: Any) -> Any:
    return meetings.select_related("lead", "room").prefetch_related(
        "invitees__participant__person", "co_facilitators"
    )


def allowed_actions(case: Case, membership: Membership) -> set[str]:
    """The names of the meeting actions this member may take on this case now."""
    return {a.name for a in [*ACTIONS, *record_plug.ACTIONS] if a.allowed(case, membership)}


def meetings_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    meetings = list(with_what_is_shown(queries.meetings_of_case(membership, case)))
    allowed = allowed_actions(case, membership)
    # The conference record is the case team's and the coordinators' only.
    records = queries.conference_records_for(membership, case, meetings)
    sees_record = records is not None
    rows = [meeting_row(m, case, membership, records, sees_record=sees_record) for m in meetings]
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


def meeting_entries(case: Case, only: Meeting | None = None) -> list[Entry]:
    entries = []
    titles = {
        "meeting.scheduled": gettext_lazy("%(kind)s planned for %(time)s"),
        "meeting.confirmed": gettext_lazy("%(kind)s of %(time)s confirmed"),
        "meeting.changed": gettext_lazy("%(kind)s changed: now %(time)s"),
        "meeting.held": gettext_lazy("%(kind)s of %(time)s held"),
        "meeting.cancelled": gettext_lazy("%(kind)s of %(time)s cancelled"),
        "meeting.cancelled_automatically": gettext_lazy("%(kind)s of %(time)s cancelled"),
        # These name the record; the meeting is in their details.
        "conference.recorded": gettext_lazy("%(kind)s of %(time)s: the conference recorded"),
        "conference.record_changed": gettext_lazy(
            "%(kind)s of %(time)s: the conference record changed"
        ),
    }
    events = AuditEvent.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), action__in=list(titles)
    ).select_related("actor")
    if only is not None:
        events = events.filter(
            Q(action__startswith="meeting.", object_id=str(only.pk))
            | Q(action__startswith="conference.", details__meeting=str(only.pk))
        )
    shown = Meeting.objects.filter(case=case) if only is None else [only]
    meetings = {str(m.pk): m for m in shown}
    for event in events:
        about = event.object_id
        if event.action.startswith("conference."):
            about = str(event.details.get("meeting", ""))
        meeting = meetings.get(about)
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
    record_plug.plug_in(_sentence)

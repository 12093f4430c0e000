"""The forms of the meeting actions on a case. Times are entered on the program's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.accounts.models import User
from mend.cases.action_forms import CaseForm
from mend.cases.models import Case, Participant
from mend.core.dates import plausible_date
from mend.core.languages import language_choices
from mend.processes.models import KINDS, Meeting, Venue
from mend.processes.queries import rooms_in_use
from mend.processes.services import LONGEST, local_time
from mend.programs.models import Membership, ProcessType
from mend.programs.roles import Role

FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """An ISO date and time read on the program's clock, returned in UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT)

    def __init__(self, *, zone: str, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)
        self.zone = ZoneInfo(zone)

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and value.strip():
            parsed = None
            for fmt in self.input_formats:
                try:
                    parsed = datetime.strptime(value.strip(), fmt)
                    break
                except ValueError:
                    continue
            if parsed is None:
                raise ValidationError(_("Enter a date and time, such as 2026-03-14 18:30."))
            plausible_date(parsed.date(), years_ahead=2)
            moment = timezone.make_aware(parsed, self.zone).astimezone(ZoneInfo("UTC"))
            if moment.astimezone(self.zone).replace(tzinfo=None) != parsed:
                # The hour skipped when the clocks go forward never happens there.
                raise ValidationError(
                    _(
                        "The program's clock skips this time (the clocks go forward). "
                        "Choose another."
                    )
                )
            return moment
        return super().to_python(value)


def _open_meetings(case: Case) -> Any:
    return Meeting.objects.filter(
        case=case, status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED]
    )


def _meeting_choices(case: Case, meetings: Any) -> list[tuple[Any, str]]:
    return [(m.pk, f"{m.get_kind_display()}, {local_time(m.starts_at, case)}") for m in meetings]


def _people(case: Case) -> list[tuple[Any, str]]:
    people = case.participants.filter(status=Participant.Status.ACTIVE).select_related("person")
    return [(p.pk, f"{p.person} ({p.get_role_display()})") for p in people.order_by("role", "id")]


def _room_label(room: Venue) -> str:
    return str(_("%(room)s (holds %(capacity)s)") % {"room": room.name, "capacity": room.capacity})


class MeetingForm(CaseForm):
    # Where first, then the room or the other place, then who: in the order one plans.
    field_order = [
        "kind",
        "starts_at",
        "ends_at",
        "venue_kind",
        "room",
        "venue",
        "lead",
        "co_facilitators",
        "interpreter_language",
        "invitees",
        "acknowledged",
    ]
    kind = forms.ChoiceField(label=_("Kind of meeting"))
    starts_at = forms.CharField(label=_("Starts"))
    ends_at = forms.CharField(label=_("Ends"))
    venue_kind = forms.ChoiceField(label=_("Where"), choices=Meeting.VenueKind.choices)
    venue = forms.CharField(
        label=_("Video link, phone number or address"),
        max_length=500,
        required=False,
        help_text=_(
            "Not needed for a room. A home visit's address is shown only to the case team."
        ),
    )
    lead = forms.ModelChoiceField(label=_("Led by"), queryset=User.objects.none())
    invitees = forms.TypedMultipleChoiceField(
        label=_("Who is invited"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("Not in one of the program's rooms"),
        help_text=_("For a meeting in a room: one of the program's rooms in use."),
        error_messages={"invalid_choice": _("Choose a room from the list.")},
    )
    co_facilitators = forms.ModelMultipleChoiceField(
        label=_("Co-facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_language = forms.ChoiceField(label=_("Interpreter"), required=False)
    acknowledged = forms.BooleanField(
        label=_("Schedule anyway"),
        required=False,
        help_text=_(
            "Tick this only when Mend warns that someone has not said they are available "
            "at that time, and you have checked with them."
        ),
    )

    def __init__(self, *args: Any, case: Case, meeting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        rooms = rooms_in_use(case.program_id)
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]
        self.fields["room"].label_from_instance = _room_label  # type: ignore[attr-defined]
        # The languages the people in this case speak come first.
        spoken = set(
            case.participants.exclude(person__preferred_language="").values_list(
                "person__preferred_language", flat=True
            )
        )
        every = language_choices()
        self.fields["interpreter_language"].choices = [  # type: ignore[attr-defined]
            ("", _("No interpreter")),
            *(pair for pair in every if pair[0] in spoken),
            *(pair for pair in every if pair[0] not in spoken),
        ]
        offered = set(case.program.offered_processes)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in KINDS
            if value == ProcessType.PREPARATION or value in offered
        ]
        zone = case.program.time_zone
        hint = _("On the program's clock (%(zone)s).") % {"zone": zone}
        for name in ("starts_at", "ends_at"):
            self.fields[name] = LocalDateTimeField(
                zone=zone, label=self.fields[name].label, help_text=hint
            )
        staff = Membership.objects.active().filter(
            program_id=case.program_id,
            role__in=[Role.FACILITATOR, Role.COORDINATOR, Role.PROGRAM_ADMIN],
        )
        self.fields["lead"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=staff.values("user_id"), is_active=True
        ).order_by("username")
        self.fields["lead"].initial = case.lead_facilitator_id
        self.fields["co_facilitators"].queryset = self.fields["lead"].queryset  # type: ignore[attr-defined]
        self.fields["co_facilitators"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        self.fields["invitees"].choices = _people(case)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end:
            if end <= start:
                self.add_error("ends_at", _("The meeting must end after it starts."))
            elif end - start > LONGEST:
                self.add_error("ends_at", _("A meeting lasts 12 hours at most."))
        return data

    def chosen_invitees(self) -> tuple[Participant, ...]:
        ids = self.cleaned_data["invitees"]
        return tuple(self.case.participants.select_related("person").filter(pk__in=ids))


class MeetingChangeForm(MeetingForm):
    """A new time, place or staff for a meeting still planned; its kind and invitees stay."""

    meeting = forms.TypedChoiceField(label=_("Which meeting"), coerce=int)

    field_order = ["meeting", *MeetingForm.field_order]

    def __init__(self, *args: Any, case: Case, meeting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        del self.fields["kind"]
        del self.fields["invitees"]
        self.fields["meeting"].choices = _meeting_choices(case, _open_meetings(case))  # type: ignore[attr-defined]
        chosen = _open_meetings(case).filter(pk=meeting).first() if meeting else None
        if chosen is not None and not self.is_bound:
            zone = ZoneInfo(case.program.time_zone)
            self.initial.update(
                meeting=chosen.pk,
                starts_at=timezone.localtime(chosen.starts_at, zone).strftime(FORMAT),
                ends_at=timezone.localtime(chosen.ends_at, zone).strftime(FORMAT),
                venue_kind=chosen.venue_kind,
                venue=chosen.venue,
                room=chosen.room_id,
                lead=chosen.lead_id,
                co_facilitators=list(chosen.co_facilitators.values_list("pk", flat=True)),
                interpreter_language=chosen.interpreter_language,
            )

    def chosen_meeting(self) -> Meeting:
        meeting: Meeting = Meeting.objects.get(case=self.case, pk=self.cleaned_data["meeting"])
        return meeting


class MeetingChoiceForm(CaseForm):
    meeting = forms.TypedChoiceField(label=_("Which meeting"), coerce=int)

    def __init__(self, *args: Any, case: Case, meeting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["meeting"].choices = _meeting_choices(case, self.meetings(case))  # type: ignore[attr-defined]
        if meeting is not None:
            self.fields["meeting"].initial = meeting

    def meetings(self, case: Case) -> Any:
        return _open_meetings(case)

    def chosen_meeting(self) -> Meeting:
        meeting: Meeting = Meeting.objects.get(case=self.case, pk=self.cleaned_data["meeting"])
        return meeting


class HeldForm(MeetingChoiceForm):
    attended = forms.TypedMultipleChoiceField(
        label=_("Who came"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.IntegerField(
        label=_("How long it lasted, in minutes"), min_value=1, max_value=720
    )

    def __init__(self, *args: Any, case: Case, meeting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, meeting=meeting, **kwargs)
        people = case.participants.select_related("person")
        if meeting is not None:
            people = people.filter(
                pk__in=Meeting.objects.filter(pk=meeting, case=case).values(
                    "invitees__participant_id"
                )
            )
        self.fields["attended"].choices = [  # type: ignore[attr-defined]
            (p.pk, str(p.person)) for p in people.order_by("role", "id")
        ]

    def meetings(self, case: Case) -> Any:
        return _open_meetings(case).filter(starts_at__lte=timezone.now())


# The reasons a person gives; the others are set by the automatic cancellation.
CHOSEN_REASONS = [
    Meeting.CancelReason.REQUESTED,
    Meeting.CancelReason.STAFF,
    Meeting.CancelReason.RESCHEDULED,
    Meeting.CancelReason.OTHER,
]


class CancelForm(MeetingChoiceForm):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[(r.value, r.label) for r in CHOSEN_REASONS],
        widget=forms.RadioSelect,
    )


class ConfirmForm(MeetingChoiceForm):
    """The invitees said they will come: only a planned meeting can be confirmed."""

    def meetings(self, case: Case) -> Any:
        return _open_meetings(case).filter(status=Meeting.Status.PLANNED)

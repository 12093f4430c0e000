"""The form of the conference record, opened from a held joint meeting's row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.cases.action_forms import CaseForm
from mend.cases.models import Case
from mend.processes.models import ConferenceRecord, Meeting, MeetingInvitee
from mend.processes.record_services import ConferenceDetails
from mend.processes.services import local_time
from mend.programs.practice import DIRECT_PROCESSES

TEXT = {"rows": 4}


def held_joint_meetings(case: Case) -> Any:
    return Meeting.objects.filter(
        case=case, status=Meeting.Status.HELD, kind__in=list(DIRECT_PROCESSES)
    ).order_by("-starts_at", "-id")


class ConferenceRecordForm(CaseForm):
    meeting = forms.TypedChoiceField(label=_("Which meeting"), coerce=int)
    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    speakers = forms.TypedMultipleChoiceField(
        label=_("Who spoke"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    harms = forms.CharField(
        label=_("The harms described"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(TEXT),
    )
    obligations = forms.CharField(
        label=_("Obligations accepted"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(TEXT),
    )
    agreed = forms.CharField(
        label=_("What was agreed in outline"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(TEXT),
        help_text=_("The agreement that follows builds on this."),
    )

    def __init__(self, *args: Any, case: Case, meeting: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        meetings = list(held_joint_meetings(case))
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            (m.pk, f"{m.get_kind_display()}, {local_time(m.starts_at, case)}") for m in meetings
        ]
        chosen = next((m for m in meetings if m.pk == meeting), meetings[0] if meetings else None)
        self.held_meeting: Meeting | None = chosen
        self.party_fields: list[str] = []
        if chosen is None:
            return
        self.fields["meeting"].initial = chosen.pk
        self.fields["meeting"].widget = forms.HiddenInput()
        invitees = list(
            MeetingInvitee.objects.filter(meeting=chosen)
            .select_related("participant__person")
            .order_by("participant__role", "participant_id")
        )
        self.fields["speakers"].choices = [  # type: ignore[attr-defined]
            (i.participant_id, str(i.participant.person)) for i in invitees if i.attended
        ]
        record = ConferenceRecord.objects.filter(meeting=chosen).first()
        needs = {n.participant_id: n.text for n in record.needs.all()} if record else {}
        for invitee in invitees:
            if not invitee.participant.is_party:
                continue
            name = f"needs_{invitee.participant_id}"
            self.fields[name] = forms.CharField(
                label=_("What %(name)s needs") % {"name": invitee.participant.person},
                max_length=5000,
                required=False,
                widget=forms.Textarea(TEXT),
                initial=needs.get(invitee.participant_id, ""),
            )
            self.party_fields.append(name)
        if record is not None:
            self.fields["record_version"].initial = record.version
            self.fields["speakers"].initial = list(record.speakers.values_list("pk", flat=True))
            for name in ("harms", "obligations", "agreed"):
                self.fields[name].initial = getattr(record, name)
        self.order_fields(
            ["meeting", "speakers", "harms", *self.party_fields, "obligations", "agreed"]
        )

    def details(self) -> ConferenceDetails:
        data = self.cleaned_data
        return ConferenceDetails(
            speakers=tuple(data.get("speakers") or ()),
            harms=data.get("harms", ""),
            needs={int(n.removeprefix("needs_")): data.get(n, "") for n in self.party_fields},
            obligations=data.get("obligations", ""),
            agreed=data.get("agreed", ""),
        )

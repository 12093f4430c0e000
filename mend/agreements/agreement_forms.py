"""The forms of an agreement's pages: draft it, add, change or remove a term, record a
party's agreement, reconvene. Every one validates on the server.

Each carries the version of the agreement it was opened on (the case's, for drafting)
and a one-time token. On a closed case each asks why it is being changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.agreements import services
from mend.agreements.models import Agreement, Placement, Signature, Term
from mend.cases.models import Case, Participant
from mend.cases.stages import ENDED
from mend.core.forms import DateField, Form
from mend.core.submissions import new_token, token_field
from mend.processes.models import ConferenceRecord, Letter, Meeting
from mend.processes.services import local_time

TEXT = {"rows": 3}
# Kinds a suggested term may take at once; the others need details the term form asks.
PLAIN_KINDS = [
    (k, label)
    for k, label in Term.Kind.choices
    if k not in (Term.Kind.RESTITUTION, Term.Kind.COMMUNITY_SERVICE, Term.Kind.PROGRAM)
]
# Days from drafting until a suggested term is due.
SUGGESTED_DUE_DAYS = 30


def held_meetings(case: Case) -> list[Meeting]:
    return list(
        Meeting.objects.filter(case=case, status=Meeting.Status.HELD).order_by("-starts_at", "-id")
    )


def meeting_label(meeting: Meeting, case: Case) -> str:
    return f"{meeting.get_kind_display()}, {local_time(meeting.starts_at, case)}"


class AgreementForm(Form):
    """The version, the one-time token and, on a closed case, the reason for changing it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    submission = token_field()

    def __init__(self, *args: Any, case: Case, version: int, **kwargs: Any) -> None:
        self.case = case
        initial = kwargs.setdefault("initial", {})
        initial["version"] = version
        initial["submission"] = new_token()
        super().__init__(*args, **kwargs)
        if case.stage in ENDED:
            self.fields["closed_reason"] = forms.CharField(
                label=_("Why are you changing a closed case?"),
                max_length=2000,
                widget=forms.Textarea(TEXT),
                help_text=_("The reason is kept in the audit trail."),
            )

    @property
    def closed_reason(self) -> str:
        return str(self.cleaned_data.get("closed_reason") or "")


def _harmed(case: Case) -> list[Participant]:
    return list(
        case.participants.filter(role=Participant.Role.HARMED)
        .select_related("person")
        .order_by("id")
    )


class DraftForm(AgreementForm):
    """Whose agreement, and the terms suggested by the conference record, if there is one."""

    responsible = forms.TypedChoiceField(label=_("Whose agreement"), coerce=int)
    meeting = forms.TypedChoiceField(
        label=_("Made in the meeting"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, meeting: Meeting | None, **kwargs: Any) -> None:
        case = kwargs["case"]
        super().__init__(*args, version=case.version, **kwargs)
        taken = Agreement.objects.filter(case=case).exclude(status=Agreement.Status.SUPERSEDED)
        free = (
            case.participants.filter(
                role=Participant.Role.RESPONSIBLE, status=Participant.Status.ACTIVE
            )
            .exclude(pk__in=taken.values("responsible_id"))
            .select_related("person")
            .order_by("id")
        )
        self.fields["responsible"].choices = [(p.pk, str(p.person)) for p in free]  # type: ignore[attr-defined]
        self.fields["responsible"].widget = forms.RadioSelect(
            choices=self.fields["responsible"].choices  # type: ignore[attr-defined]
        )
        self.chosen_meeting = meeting
        self.fields["meeting"].choices = [("", "")] + (  # type: ignore[attr-defined]
            [(meeting.pk, meeting_label(meeting, case))] if meeting else []
        )
        self.fields["meeting"].initial = meeting.pk if meeting else ""
        record = ConferenceRecord.objects.filter(meeting=meeting).first() if meeting else None
        lines = [line.strip() for line in (record.obligations if record else "").splitlines()]
        self.suggestions: list[tuple[str, str, str]] = []
        for number, line in enumerate((line for line in lines if line), start=1):
            keep, kind, text = f"keep_{number}", f"kind_{number}", f"text_{number}"
            self.fields[keep] = forms.BooleanField(
                label=_("Keep term %(number)s") % {"number": number}, required=False, initial=True
            )
            self.fields[kind] = forms.ChoiceField(
                label=_("Kind of term %(number)s") % {"number": number},
                choices=PLAIN_KINDS,
                initial=Term.Kind.OTHER,
            )
            self.fields[text] = forms.CharField(
                label=_("What was agreed in term %(number)s") % {"number": number},
                max_length=5000,
                required=False,
                widget=forms.Textarea(TEXT),
                initial=line,
            )
            self.suggestions.append((keep, kind, text))
        self.serves = next(iter(_harmed(case)), None)
        self.monitor = case.lead_facilitator
        self.due_on = timezone.localdate() + timedelta(days=SUGGESTED_DUE_DAYS)

    @property
    def suggested_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[k], self[kind], self[t]) for k, kind, t in self.suggestions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for keep, _kind, text in self.suggestions:
            if data.get(keep) and not str(data.get(text) or "").strip():
                self.add_error(text, _("Say what was agreed, or do not keep this term."))
        return data

    def chosen_responsible(self) -> Participant:
        return self.case.participants.select_related("person").get(
            pk=self.cleaned_data["responsible"]
        )

    def terms(self) -> list[services.TermDetails]:
        data = self.cleaned_data
        return [
            services.TermDetails(
                kind=data[kind],
                description=data[text],
                serves=self.serves,
                due_on=self.due_on,
                monitor=self.monitor,
            )
            for keep, kind, text in self.suggestions
            if data.get(keep)
        ]


def _hours(value: str) -> int | None:
    """Hours as typed (such as 12 or 7.5) in minutes; None when not a number of hours."""
    try:
        hours = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    # Past the service's own bound (2,000 hours) it is no number of hours, and 9e999 would
    # overflow the multiplication.
    if not hours.is_finite() or hours <= 0 or hours > 2000:
        return None
    return int(hours * 60)


def _instalments(text: str) -> list[tuple[date, str]] | None:
    """Lines of "yyyy-mm-dd amount"; None when a line is not one."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            return None
        try:
            rows.append((date.fromisoformat(parts[0]), parts[1]))
        except ValueError:
            return None
    return rows


class TermForm(AgreementForm):
    """One term. The fields of a kind apply to that kind only; the page hides the others."""

    kind = forms.ChoiceField(label=_("Kind of term"), choices=Term.Kind.choices)
    description = forms.CharField(
        label=_("What was agreed"),
        max_length=5000,
        widget=forms.Textarea(TEXT),
        help_text=_("In the words the parties used."),
    )
    serves = forms.TypedChoiceField(
        label=_("Whom it serves"), coerce=int, empty_value=None, required=False
    )
    due_on = DateField(label=_("Due by"), required=False)
    monitor = forms.TypedChoiceField(
        label=_("Monitor"), coerce=int, empty_value=None, required=False
    )
    amount = forms.CharField(
        label=_("Amount"), max_length=20, required=False, help_text=_("For restitution.")
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("For restitution: the three-letter code, such as USD."),
    )
    payee = forms.CharField(
        label=_("Paid to"),
        max_length=200,
        required=False,
        help_text=_("For restitution: leave empty when it is paid to the person it serves."),
    )
    instalments = forms.CharField(
        label=_("Instalments"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(TEXT),
        help_text=_(
            "For restitution, if paid in instalments: one a line, the date and the amount, "
            "such as 2026-03-01 40.00."
        ),
    )
    service_hours = forms.CharField(
        label=_("Hours of service"),
        max_length=10,
        required=False,
        help_text=_("For community service, such as 12 or 7.5."),
    )
    placement = forms.TypedChoiceField(
        label=_("Placement"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For community service."),
    )
    program_kind = forms.ChoiceField(
        label=_("Kind of program"),
        choices=[("", "—"), *Term.ProgramKind.choices],
        required=False,
        help_text=_("For taking part in a program."),
    )
    provider = forms.CharField(
        label=_("Provider"),
        max_length=160,
        required=False,
        help_text=_("For taking part in a program."),
    )
    letter = forms.TypedChoiceField(
        label=_("The letter of apology"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a written apology: a letter of this case the responsible party wrote."),
    )

    # Which fields belong to which kind (the page shows them for that kind only).
    KIND_FIELDS = {
        Term.Kind.RESTITUTION: ("amount", "currency", "payee", "instalments"),
        Term.Kind.COMMUNITY_SERVICE: ("service_hours", "placement"),
        Term.Kind.PROGRAM: ("program_kind", "provider"),
        Term.Kind.APOLOGY_WRITTEN: ("letter",),
    }

    def __init__(self, *args: Any, agreement: Agreement, term: Term | None = None, **kwargs: Any):
        super().__init__(*args, version=agreement.version, **kwargs)
        case = self.case
        self.harmed = {p.pk: p for p in _harmed(case)}
        self.fields["serves"].choices = [  # type: ignore[attr-defined]
            ("", _("The community")),
            *((pk, str(p.person)) for pk, p in self.harmed.items()),
        ]
        self.monitors = {u.pk: u for u in services.monitors_of(case)}
        self.fields["monitor"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody yet")),
            *((pk, u.display_name) for pk, u in self.monitors.items()),
        ]
        self.placements = {
            p.pk: p for p in Placement.objects.filter(program_id=case.program_id, is_active=True)
        }
        self.fields["placement"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((pk, str(p)) for pk, p in self.placements.items()),
        ]
        self.letters = {
            letter.pk: letter
            for letter in Letter.objects.filter(case=case, author_id=agreement.responsible_id)
            .select_related("recipient__person")
            .order_by("created_at", "id")
        }
        self.fields["letter"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (
                    pk,
                    _("%(kind)s to %(recipient)s (%(status)s)")
                    % {
                        "kind": letter.get_kind_display(),
                        "recipient": letter.recipient.person,
                        "status": letter.get_status_display(),
                    },
                )
                for pk, letter in self.letters.items()
            ),
        ]
        if term is not None:
            for name in ("kind", "description", "due_on", "currency", "payee", "provider"):
                self.fields[name].initial = getattr(term, name)
            self.fields["program_kind"].initial = term.program_kind
            self.fields["serves"].initial = term.serves_id or ""
            self.fields["monitor"].initial = term.monitor_id or ""
            self.fields["placement"].initial = term.placement_id or ""
            self.fields["letter"].initial = term.letter_id or ""
            self.fields["amount"].initial = term.amount or ""
            if term.service_minutes:
                self.fields["service_hours"].initial = f"{term.service_minutes / 60:g}"
            self.fields["instalments"].initial = "\n".join(
                f"{i.due_on.isoformat()} {i.amount}" for i in term.instalments.all()
            )
        else:
            self.fields["kind"].initial = Term.Kind.OTHER
            self.fields["monitor"].initial = case.lead_facilitator_id or ""

    def fields_of_kind(self) -> list[tuple[str, Any, list[Any]]]:
        """(kind, its name, its fields) for each kind that has fields of its own."""
        return [
            (kind, Term.Kind(kind).label, [self[name] for name in names])
            for kind, names in self.KIND_FIELDS.items()
        ]

    def common_fields(self) -> list[Any]:
        own = {name for names in self.KIND_FIELDS.values() for name in names}
        return [self[name] for name in self.fields if name not in own]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        hours = data.get("service_hours")
        if kind == Term.Kind.COMMUNITY_SERVICE and hours and _hours(hours) is None:
            self.add_error("service_hours", _("Enter the hours as a number, such as 12."))
        lines = data.get("instalments")
        if kind == Term.Kind.RESTITUTION and lines and _instalments(lines) is None:
            self.add_error(
                "instalments", _("Write each instalment on its own line as a date and an amount.")
            )
        return data

    def details(self) -> services.TermDetails:
        data = self.cleaned_data
        kind = data["kind"]
        restitution = kind == Term.Kind.RESTITUTION
        amount: Any = data.get("amount") or None
        return services.TermDetails(
            kind=kind,
            description=data["description"],
            serves=self.harmed.get(data.get("serves") or 0),
            due_on=data.get("due_on"),
            monitor=self.monitors.get(data.get("monitor") or 0),
            amount=amount if restitution else None,
            currency=data.get("currency") or "",
            payee=data.get("payee") or "",
            # The service reads each amount as money, and says which is not.
            instalments=(_instalments(data.get("instalments") or "") or [])  # type: ignore[arg-type]
            if restitution
            else (),
            service_minutes=_hours(data.get("service_hours") or "")
            if kind == Term.Kind.COMMUNITY_SERVICE
            else None,
            placement=self.placements.get(data.get("placement") or 0),
            program_kind=data.get("program_kind") or "",
            provider=data.get("provider") or "",
            letter=self.letters.get(data.get("letter") or 0)
            if kind == Term.Kind.APOLOGY_WRITTEN
            else None,
        )


class RemoveTermForm(AgreementForm):
    pass


class SignatureForm(AgreementForm):
    participant = forms.TypedChoiceField(
        label=_("Who agrees"), coerce=int, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=_("How they agree"), choices=Signature.Method.choices, widget=forms.RadioSelect
    )
    agreed_on = DateField(label=_("Agreed on"), past=True)
    signed_name = forms.CharField(
        label=_("Their name, typed by them"),
        max_length=200,
        required=False,
        help_text=_("Signed on screen: hand them the device to type their own name."),
    )
    scan = forms.FileField(
        label=_("The signed copy"),
        required=False,
        help_text=_("Signed copy uploaded: a PDF, or a JPEG or PNG image."),
    )

    def __init__(self, *args: Any, agreement: Agreement, waiting: list[Participant], **kwargs: Any):
        super().__init__(*args, version=agreement.version, **kwargs)
        self.waiting = {p.pk: p for p in waiting}
        self.fields["participant"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.person} ({p.get_role_display()})") for p in waiting
        ]
        self.fields["agreed_on"].initial = timezone.localdate()

    def chosen_participant(self) -> Participant:
        return self.waiting[self.cleaned_data["participant"]]


class ReconveneForm(AgreementForm):
    reason = forms.CharField(
        label=_("Why the parties are meeting again"), max_length=5000, widget=forms.Textarea(TEXT)
    )
    meeting = forms.TypedChoiceField(
        label=_("The meeting where they met again"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Leave it as it is if they have not met yet."),
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any):
        super().__init__(*args, version=agreement.version, **kwargs)
        self.meetings = {m.pk: m for m in held_meetings(self.case)}
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            ("", _("The same meeting as before")),
            *((pk, meeting_label(m, self.case)) for pk, m in self.meetings.items()),
        ]

    def chosen_meeting(self) -> Meeting | None:
        return self.meetings.get(self.cleaned_data.get("meeting") or 0)

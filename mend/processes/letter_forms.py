"""The forms of the letter actions on a case: draft, review, revise and deliver."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mend.cases.action_forms import CaseForm
from mend.cases.models import Case, Participant
from mend.core.forms import DateField
from mend.processes.gates import PROFESSIONALS
from mend.processes.letter_services import DECLINED, DELIVERED, LONGEST
from mend.processes.models import Letter, LetterVersion


def _label(letter: Letter) -> str:
    return _("%(kind)s from %(author)s to %(recipient)s") % {
        "kind": letter.get_kind_display(),
        "author": letter.author.person,
        "recipient": letter.recipient.person,
    }


def _letters(case: Case, *statuses: str) -> Any:
    return (
        Letter.objects.filter(case=case, status__in=statuses)
        .select_related("author__person", "recipient__person")
        .order_by("created_at", "id")
    )


def _writers(case: Case) -> list[tuple[Any, str]]:
    people = (
        case.participants.filter(status=Participant.Status.ACTIVE)
        .exclude(role__in=PROFESSIONALS)
        .select_related("person")
        .order_by("role", "id")
    )
    return [(p.pk, f"{p.person} ({p.get_role_display()})") for p in people]


class DraftForm(CaseForm):
    kind = forms.ChoiceField(
        label=_("Letter or message"), choices=Letter.Kind.choices, widget=forms.RadioSelect
    )
    author = forms.TypedChoiceField(label=_("Written by"), coerce=int)
    recipient = forms.TypedChoiceField(label=pgettext_lazy("letter recipient", "To"), coerce=int)
    reply_to = forms.TypedChoiceField(
        label=_("In reply to"), coerce=int, empty_value=None, required=False
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=LONGEST,
        widget=forms.Textarea({"rows": 10}),
        help_text=_(
            "As the author wrote or said it. A facilitator reviews it before anyone reads it."
        ),
    )

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        people = _writers(case)
        self.fields["author"].choices = people  # type: ignore[attr-defined]
        self.fields["recipient"].choices = people  # type: ignore[attr-defined]
        delivered = _letters(case, Letter.Status.DELIVERED)
        self.fields["reply_to"].choices = [  # type: ignore[attr-defined]
            ("", _("Not a reply")),
            *((d.pk, _label(d)) for d in delivered),
        ]
        self.fields["kind"].initial = Letter.Kind.LETTER

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("author") and data.get("author") == data.get("recipient"):
            self.add_error("recipient", _("Choose someone other than the author."))
        return data

    def chosen_letter(self, name: str) -> Letter | None:
        pk = self.cleaned_data.get(name)
        return None if pk is None else Letter.objects.get(case=self.case, pk=pk)


class LetterChoiceForm(CaseForm):
    """A form about one letter of the case, in the status the action needs."""

    statuses: tuple[str, ...] = ()
    letter = forms.TypedChoiceField(label=_("Which letter"), coerce=int)

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["letter"].choices = [  # type: ignore[attr-defined]
            (item.pk, _label(item)) for item in _letters(case, *self.statuses)
        ]
        self.opened: LetterVersion | None = None
        if letter is not None:
            self.fields["letter"].initial = letter
            # The latest text of the letter it was opened for, to show with the form.
            self.opened = (
                LetterVersion.objects.filter(
                    letter__case=case, letter_id=letter, letter__status__in=self.statuses
                )
                .order_by("-number")
                .first()
            )

    def chosen_letter(self) -> Letter:
        letter: Letter = Letter.objects.get(case=self.case, pk=self.cleaned_data["letter"])
        return letter


class ReviewForm(LetterChoiceForm):
    statuses = (Letter.Status.AWAITING_REVIEW,)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (LetterVersion.Decision.APPROVED, _("Approve it to be delivered")),
            (LetterVersion.Decision.RETURNED, _("Return it to the author with comments")),
            (LetterVersion.Decision.WITHHELD, _("Withhold it")),
        ],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments for the author, or the reason for withholding"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )
    redact = forms.CharField(
        label=_("Passages to remove before it is delivered"),
        required=False,
        max_length=LONGEST,
        widget=forms.Textarea({"rows": 4}),
        help_text=_(
            "One passage a line, copied exactly from the text. The recipient sees "
            "“[removed by the facilitator]” in its place, wherever it appears."
        ),
    )

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, letter=letter, **kwargs)
        if self.opened is not None:
            # Shown, never sent back: the text reviewed is the one stored.
            self.fields["under_review"] = forms.CharField(
                label=_("The text to review"),
                required=False,
                disabled=True,
                initial=self.opened.body,
                widget=forms.Textarea({"rows": 8}),
            )
            self.order_fields(["letter", "under_review"])

    def passages(self) -> list[str]:
        return [line for line in self.cleaned_data.get("redact", "").splitlines() if line.strip()]


class ReviseForm(LetterChoiceForm):
    statuses = (Letter.Status.RETURNED,)
    body = forms.CharField(
        label=_("The revised text"), max_length=LONGEST, widget=forms.Textarea({"rows": 10})
    )

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, letter=letter, **kwargs)
        if self.opened is not None:
            self.fields["body"].initial = self.opened.body
            self.fields["body"].help_text = _("The facilitator's comments: %(comments)s") % {
                "comments": self.opened.comments
            }


class DeliverForm(LetterChoiceForm):
    statuses = (Letter.Status.APPROVED,)
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (DELIVERED, _("It was delivered")),
            (DECLINED, _("The recipient declined to receive it")),
        ],
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=_("How it was delivered"),
        choices=[("", _("Choose how")), *Letter.Method.choices],
        required=False,
    )
    delivered_on = DateField(label=_("Date"), past=True)

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, letter=letter, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == DELIVERED and not data.get("method"):
            self.add_error("method", _("Say how the letter was delivered."))
        return data

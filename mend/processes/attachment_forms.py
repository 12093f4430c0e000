"""The forms to attach a file to a letter under review, and to remove one while reviewing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from mend.cases.action_forms import CaseForm
from mend.cases.models import Case
from mend.processes.attachments import KINDS
from mend.processes.letter_forms import LetterChoiceForm, _label
from mend.processes.models import Letter, LetterAttachment


class AttachForm(LetterChoiceForm):
    statuses = (Letter.Status.AWAITING_REVIEW,)
    file = forms.FileField(
        label=_("File"),
        # The name only; what the file is comes from its content, in the service.
        max_length=1000,
    )

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, letter=letter, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF, a JPEG or PNG image, an MP3, M4A or Ogg recording, or an MP4 or WebM "
            "video, of %(size)s MB at most. The facilitator reviews it with the letter."
        ) % {"size": settings.MEND_ATTACHMENT_MAX_BYTES // 1_048_576}
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{ext}" for kind in KINDS.values() for ext in kind.extensions
        )


def _attachment_label(item: LetterAttachment) -> str:
    return f"{item.original_name} ({KINDS[item.content_type].label}), {_label(item.version.letter)}"


class RemoveAttachmentForm(CaseForm):
    """Remove one file of a version under review, as a redaction removes a passage."""

    attachment = forms.TypedChoiceField(
        label=_("Which file"),
        coerce=int,
        help_text=_(
            "The recipient will not get it; their copy says that a file was removed. It is "
            "kept in the case record."
        ),
    )

    def __init__(self, *args: Any, case: Case, letter: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["attachment"].choices = [  # type: ignore[attr-defined]
            (item.pk, _attachment_label(item)) for item in self._removable(letter)
        ]

    def _removable(self, letter: int | None) -> Any:
        pending = Letter.objects.filter(case=self.case, status=Letter.Status.AWAITING_REVIEW)
        if letter is not None:
            pending = pending.filter(pk=letter)
        latest = pending.annotate(last=Max("versions__number"))
        wanted = [(row.pk, row.last) for row in latest]
        items = (
            LetterAttachment.objects.filter(version__letter__in=pending, removed=False)
            .select_related("version__letter__author__person", "version__letter__recipient__person")
            .order_by("version__letter_id", "uploaded_at", "id")
        )
        return [i for i in items if (i.version.letter_id, i.version.number) in wanted]

    def chosen_attachment(self) -> LetterAttachment:
        item: LetterAttachment = LetterAttachment.objects.select_related("version__letter").get(
            version__letter__case=self.case, pk=self.cleaned_data["attachment"]
        )
        return item

"""How attachments plug into the letters of a case: two actions and their audit sentences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.actions import Action
from mend.cases.models import Case
from mend.core.audit_sentences import register as register_sentence
from mend.core.numbers import whole_number
from mend.processes import attachment_forms as forms
from mend.processes import attachments as services
from mend.processes.letter_services import WRITING_STAGES


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


def _attach(form: Any, case: Case, by: User) -> str:
    upload = form.cleaned_data["file"]
    attachment = services.add_attachment(
        case=case,
        letter=form.chosen_letter(),
        upload=upload,
        name=upload.name or "",
        by=by,
        expected_version=_version(form),
    )
    return _("%(name)s is attached. The facilitator reviews it with the letter.") % {
        "name": attachment.original_name
    }


def _remove(form: Any, case: Case, by: User) -> str:
    attachment = form.chosen_attachment()
    services.remove_attachment(
        case=case,
        letter=attachment.version.letter,
        attachment=attachment,
        by=by,
        expected_version=_version(form),
    )
    return _("%(name)s is removed. The recipient's copy says that a file was removed.") % {
        "name": attachment.original_name
    }


def _which_letter(request: Any, case: Case) -> dict[str, Any]:
    raw = request.GET.get("letter") or ""
    number = whole_number(raw)
    return {} if number is None else {"letter": number}


ACTIONS = [
    Action(
        "letter_attach",
        gettext_lazy("Attach a file to a letter"),
        "cases.work",
        forms.AttachForm,
        _attach,
        WRITING_STAGES,
        opened_with=_which_letter,
        listed=False,
    ),
    Action(
        "letter_attachment_remove",
        gettext_lazy("Remove a file from a letter"),
        "cases.work",
        forms.RemoveAttachmentForm,
        _remove,
        WRITING_STAGES,
        opened_with=_which_letter,
        listed=False,
    ),
]


def register_sentences(sentence: Any) -> None:
    def letter(code: str, text: Any) -> None:
        register_sentence(code, sentence(text), group="cases")

    letter(
        "letter.attachment_added", gettext_lazy("%(who)s attached a file to a letter in %(case)s")
    )
    letter(
        "letter.attachment_removed",
        gettext_lazy("%(who)s removed a file from a letter in %(case)s"),
    )
    letter(
        "letter.attachment_downloaded",
        gettext_lazy("%(who)s downloaded a file of a letter in %(case)s"),
    )


def plug_in(sentence: Any) -> None:
    for action in ACTIONS:
        registry.add_case_action(action)
    register_sentences(sentence)

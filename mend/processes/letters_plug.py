"""How letters plug into cases: their actions, the "Letters and messages" section of the
case page, timeline entries and the sentences of their audit rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.accounts.models import User
from mend.cases import registry
from mend.cases.actions import Action
from mend.cases.models import Case
from mend.cases.timeline import Entry
from mend.core.audit_sentences import register as register_sentence
from mend.core.models import AuditEvent
from mend.core.numbers import whole_number
from mend.processes import attachments_plug
from mend.processes import letter_forms as forms
from mend.processes import letter_services as services
from mend.processes.models import Letter
from mend.programs.models import Membership


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


def _draft(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    services.draft_letter(
        case=case,
        author=form.case.participants.get(pk=data["author"]),
        recipient=form.case.participants.get(pk=data["recipient"]),
        kind=data["kind"],
        body=data["body"],
        reply_to=form.chosen_letter("reply_to"),
        by=by,
        expected_version=_version(form),
    )
    return _("The letter is saved. A facilitator reviews it before it is delivered.")


def _review(form: Any, case: Case, by: User) -> str:
    version = services.review_version(
        case=case,
        letter=form.chosen_letter(),
        decision=form.cleaned_data["decision"],
        comments=form.cleaned_data["comments"],
        redact=form.passages(),
        by=by,
        expected_version=_version(form),
    )
    return str(REVIEWED[version.decision])


REVIEWED = {
    "approved": gettext_lazy("The letter is approved. It can now be delivered."),
    "returned": gettext_lazy("The letter is returned to its author with your comments."),
    "withheld": gettext_lazy("The letter is withheld. It will not be delivered."),
}


def _revise(form: Any, case: Case, by: User) -> str:
    version = services.revise_letter(
        case=case,
        letter=form.chosen_letter(),
        body=form.cleaned_data["body"],
        by=by,
        expected_version=_version(form),
    )
    return _("Version %(number)s is saved and awaits review.") % {"number": version.number}


def _deliver(form: Any, case: Case, by: User) -> str:
    data = form.cleaned_data
    letter = services.record_delivery(
        case=case,
        letter=form.chosen_letter(),
        outcome=data["outcome"],
        method=data.get("method") or "",
        on=data["delivered_on"],
        by=by,
        expected_version=_version(form),
    )
    if letter.status == Letter.Status.DECLINED:
        return _("Recorded: the recipient declined to receive the letter.")
    return _("The letter is recorded as delivered.")


def _which_letter(request: HttpRequest, case: Case) -> dict[str, Any]:
    raw = request.GET.get("letter") or ""
    number = whole_number(raw)
    return {} if number is None else {"letter": number}


def _action(name: str, label: Any, form: Any, handler: Any, stages: frozenset[str]) -> Action:
    return Action(
        name,
        label,
        "cases.work",
        form,
        handler,
        stages,
        opened_with=_which_letter,
        listed=False,
    )


ACTIONS = [
    _action(
        "letter",
        gettext_lazy("Write a letter or message"),
        forms.DraftForm,
        _draft,
        services.WRITING_STAGES,
    ),
    _action(
        "letter_review",
        gettext_lazy("Review a letter"),
        forms.ReviewForm,
        _review,
        services.WRITING_STAGES,
    ),
    _action(
        "letter_revise",
        gettext_lazy("Revise a returned letter"),
        forms.ReviseForm,
        _revise,
        services.WRITING_STAGES,
    ),
    _action(
        "letter_deliver",
        gettext_lazy("Record the delivery of a letter"),
        forms.DeliverForm,
        _deliver,
        services.DELIVERY_STAGES,
    ),
]

# Which action each status offers, from the letter's row.
NEXT_ACTION = {
    Letter.Status.AWAITING_REVIEW: ("letter_review", gettext_lazy("Review")),
    Letter.Status.RETURNED: ("letter_revise", gettext_lazy("Revise")),
    Letter.Status.APPROVED: ("letter_deliver", gettext_lazy("Record delivery")),
}


def letters_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    letters = list(
        Letter.objects.filter(case=case)
        .select_related("author__person", "recipient__person")
        .prefetch_related("versions__reviewed_by", "versions__attachments")
    )
    allowed = {a.name for a in (*ACTIONS, *attachments_plug.ACTIONS) if a.allowed(case, membership)}
    by_pk = {letter.pk: letter for letter in letters}
    rows = []
    for letter in letters:
        action = NEXT_ACTION.get(letter.status)  # type: ignore[call-overload]
        rows.append(
            {
                "letter": letter,
                "reply_to": by_pk.get(letter.reply_to_id or 0),
                "versions": list(letter.versions.all()),
                "action": action if action and action[0] in allowed else None,
            }
        )
    return render_to_string(
        "processes/letters_section.html",
        {
            "case": case,
            "rows": rows,
            "allowed": allowed,
            # The texts are the case team's: others see that letters exist, not what they say.
            "sees_text": membership.can("cases.work"),
        },
        request=request,
    )


TITLES = {
    "letter.drafted": gettext_lazy("%(kind)s from %(author)s to %(recipient)s written"),
    "letter.revised": gettext_lazy("%(kind)s from %(author)s to %(recipient)s revised"),
    "letter.approved": gettext_lazy("%(kind)s from %(author)s to %(recipient)s approved"),
    "letter.returned": gettext_lazy(
        "%(kind)s from %(author)s to %(recipient)s returned to its author"
    ),
    "letter.withheld": gettext_lazy("%(kind)s from %(author)s to %(recipient)s withheld"),
    "letter.delivered": gettext_lazy("%(kind)s from %(author)s to %(recipient)s delivered"),
    "letter.declined": gettext_lazy(
        "%(kind)s from %(author)s to %(recipient)s declined by the recipient"
    ),
    "letter.attachment_added": gettext_lazy(
        "File attached: %(kind)s from %(author)s to %(recipient)s"
    ),
    "letter.attachment_removed": gettext_lazy(
        "File removed: %(kind)s from %(author)s to %(recipient)s"
    ),
}


def letter_entries(case: Case) -> list[Entry]:
    events = AuditEvent.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), action__in=list(TITLES)
    ).select_related("actor")
    letters = {
        str(letter.pk): letter
        for letter in Letter.objects.filter(case=case).select_related(
            "author__person", "recipient__person"
        )
    }
    entries = []
    for event in events:
        letter = letters.get(event.object_id)
        if letter is None:
            continue
        title = str(TITLES[event.action]) % {
            "kind": letter.get_kind_display(),
            "author": letter.author.person,
            "recipient": letter.recipient.person,
        }
        entries.append(
            Entry(
                event.occurred_at,
                "letter",
                title,
                event.actor.display_name if event.actor else _("Mend"),
            )
        )
    return entries


def register_sentences(sentence: Any) -> None:
    def letter(code: str, text: Any) -> None:
        register_sentence(code, sentence(text), group="cases")

    letter("letter.drafted", gettext_lazy("%(who)s wrote down a letter in %(case)s"))
    letter("letter.revised", gettext_lazy("%(who)s revised a letter in %(case)s"))
    letter("letter.approved", gettext_lazy("%(who)s approved a letter in %(case)s"))
    letter("letter.returned", gettext_lazy("%(who)s returned a letter to its author in %(case)s"))
    letter("letter.withheld", gettext_lazy("%(who)s withheld a letter in %(case)s"))
    letter("letter.delivered", gettext_lazy("%(who)s recorded a letter delivered in %(case)s"))
    letter(
        "letter.declined",
        gettext_lazy("%(who)s recorded that a letter was declined in %(case)s"),
    )


def plug_in(sentence: Any) -> None:
    for action in ACTIONS:
        registry.add_case_action(action)
    registry.add_case_section(letters_section)
    registry.add_timeline_source(letter_entries)
    register_sentences(sentence)
    attachments_plug.plug_in(sentence)

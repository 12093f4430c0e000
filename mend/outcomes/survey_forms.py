"""Forms of surveys: the participant's answers, and the staff's sending by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.core.forms import Form
from mend.outcomes.models import Agreement5, QuestionKind, SurveyKind, SurveyQuestion, YesNo
from mend.outcomes.survey_answers import Given

TEXT_LIMIT = 2000


def field_name(question: SurveyQuestion) -> str:
    return f"q_{question.code}"


class AnswerForm(Form):
    """One field for each question asked, in the page's language. All optional unless
    the question says it needs an answer; an answer that is not one of the choices is a
    field error, never stored."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = question.text_in(language)
            if question.kind == QuestionKind.TEXT:
                field: forms.Field = forms.CharField(
                    label=label,
                    required=question.required,
                    max_length=TEXT_LIMIT,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={
                        "required": _("Answer this question."),
                        "max_length": _("Write at most %(limit)s characters.")
                        % {"limit": TEXT_LIMIT},
                    },
                )
            else:
                choices = (
                    Agreement5.choices if question.kind == QuestionKind.AGREE else YesNo.choices
                )
                field = forms.ChoiceField(
                    label=label,
                    required=question.required,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Choose an answer to this question."),
                        "invalid_choice": _("Choose one of the answers shown."),
                    },
                )
            self.fields[field_name(question)] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(field_name(q)) for q in self.questions):
            raise forms.ValidationError(
                _("Answer at least one question, or close this page if you would rather not.")
            )
        return cleaned

    def answers(self) -> dict[str, Given]:
        found = {}
        for question in self.questions:
            value = (self.cleaned_data.get(field_name(question)) or "").strip()
            if not value:
                continue
            if question.kind == QuestionKind.TEXT:
                found[question.code] = Given(text=value)
            else:
                found[question.code] = Given(choice=value)
        return found


class SendForm(Form):
    participant = forms.TypedChoiceField(
        label=gettext_lazy("Participant"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("Choose a participant of this case.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Survey"),
        choices=SurveyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose which survey to send.")},
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonymous: the answers are not linked to the person"),
        required=False,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = choices  # type: ignore[attr-defined]
        self.fields["participant"].error_messages["required"] = _("Choose a participant.")


class FindCaseForm(Form):
    case = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=30,
        error_messages={"required": gettext_lazy("Enter a case reference.")},
    )


class QuestionsForm(Form):
    """The survey's questions to change: each one's words and whether it is required, or
    removed; and one new question. Codes and kinds of answer stay: the measures read
    them across versions."""

    new_code = forms.SlugField(
        label=gettext_lazy("Code of a new question"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Short, in lower case, never changed: for example “helpful”."),
        error_messages={"invalid": gettext_lazy("Use lower-case letters, digits and _ only.")},
    )
    new_kind = forms.ChoiceField(
        label=gettext_lazy("Its answer"),
        required=False,
        choices=[("", "—"), *QuestionKind.choices],
    )
    new_text = forms.CharField(
        label=gettext_lazy("The new question in English"), required=False, max_length=300
    )
    new_text_es = forms.CharField(
        label=gettext_lazy("The new question in Spanish"), required=False, max_length=300
    )
    new_harmed_only = forms.BooleanField(
        label=gettext_lazy("Ask harmed parties only"), required=False
    )

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        existing: dict[str, forms.Field] = {}
        for question in questions:
            code = question.code
            existing[f"text__{code}"] = forms.CharField(
                label=_("“%(code)s” in English") % {"code": code},
                max_length=300,
                initial=question.text,
                error_messages={"required": _("Write the question in English.")},
            )
            existing[f"text_es__{code}"] = forms.CharField(
                label=_("“%(code)s” in Spanish") % {"code": code},
                max_length=300,
                initial=question.text_es,
                error_messages={"required": _("Write the question in Spanish.")},
            )
            existing[f"required__{code}"] = forms.BooleanField(
                label=_("An answer to “%(code)s” is required") % {"code": code},
                required=False,
                initial=question.required,
            )
            existing[f"remove__{code}"] = forms.BooleanField(
                label=_("Remove “%(code)s” from the survey") % {"code": code}, required=False
            )
        # The questions first, then the new one, in page order.
        self.fields = {**existing, **self.fields}

    def groups(self) -> list[tuple[SurveyQuestion, list[forms.BoundField]]]:
        return [
            (q, [self[f"{part}__{q.code}"] for part in ("text", "text_es", "required", "remove")])
            for q in self.questions
        ]

    def new_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("new_code", "new_kind", "new_text", "new_text_es")] + [
            self["new_harmed_only"]
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = ("new_code", "new_kind", "new_text", "new_text_es")
        if any(cleaned.get(name) for name in parts):
            for name, message in (
                ("new_code", _("Give the new question a code.")),
                ("new_kind", _("Choose what kind of answer the new question takes.")),
                ("new_text", _("Write the new question in English.")),
                ("new_text_es", _("Write the new question in Spanish.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
            if cleaned.get("new_code") in {q.code for q in self.questions}:
                self.add_error("new_code", _("A question of this survey has this code already."))
        return cleaned

    def drafts(self) -> list[Any]:
        from mend.outcomes.survey_services import QuestionDraft

        data = self.cleaned_data
        kept = [
            QuestionDraft(
                q.code,
                q.kind,
                data[f"text__{q.code}"].strip(),
                data[f"text_es__{q.code}"].strip(),
                tuple(q.roles),
                data[f"required__{q.code}"],
            )
            for q in self.questions
            if not data[f"remove__{q.code}"]
        ]
        if data.get("new_code"):
            roles = ("harmed",) if data.get("new_harmed_only") else ()
            kept.append(
                QuestionDraft(
                    data["new_code"],
                    data["new_kind"],
                    data["new_text"].strip(),
                    data["new_text_es"].strip(),
                    roles,
                )
            )
        return kept

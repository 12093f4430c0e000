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

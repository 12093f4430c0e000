"""The participant's survey page, opened from its link with no sign-in.

The page speaks the participant's language (their preferred language, else the
program's first), unless this browser chose another: the EN/ES switch on the page, or
the site's language choice. A link that does not work gives a plain page saying why,
never an error. The page is never cached, indexed or sent on as a referrer (the token
is in its address).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from mend.cases.services.base import CaseRuleError
from mend.outcomes.survey_answers import UNKNOWN, Opened, answer_survey, open_survey
from mend.outcomes.survey_forms import AnswerForm

CODES = [code for code, _name in settings.LANGUAGES]


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


def _language(request: HttpRequest, default: str) -> str:
    for chosen in (request.GET.get("lang", ""), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        if chosen in CODES:
            return str(chosen)
    return default if default in CODES else settings.LANGUAGE_CODE


def _not_working(request: HttpRequest, reason: str) -> HttpResponse:
    language = _language(request, settings.LANGUAGE_CODE)
    with translation.override(language):
        response = render(
            request,
            "outcomes/surveys/not_working.html",
            {"reason": reason, "language": language, "switch": _switch(request.path)},
            status=404 if reason == UNKNOWN else 410,
        )
    return _private(response)


def _switch(path: str) -> list[tuple[str, str, str]]:
    """(code, name in itself, address) for the language switch."""
    names = {"en": "English", "es": "Español"}
    return [(code, names.get(code, code), f"{path}?lang={code}") for code in CODES]


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    opened = open_survey(token)
    if not isinstance(opened, Opened):
        return _not_working(request, opened)
    language = _language(request, opened.language)
    with translation.override(language):
        questions = opened.questions()
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            questions=questions,
            language=language,
        )
        status = 200
        if form.is_valid():
            try:
                answer_survey(token=token, answers=form.answers(), language=language)
            except CaseRuleError:
                return _not_working(request, "used")
            thanks = reverse("outcomes:survey_thanks")
            return _private(redirect(f"{thanks}?lang={language}"))
        if form.is_bound:
            status = 400
        response = render(
            request,
            "outcomes/surveys/answer.html",
            {
                "opened": opened,
                "form": form,
                "language": language,
                "switch": _switch(request.path),
                "program": opened.program,
                "kind": opened.version.template.kind,
            },
            status=status,
        )
    return _private(response)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    language = _language(request, settings.LANGUAGE_CODE)
    with translation.override(language):
        response = render(
            request,
            "outcomes/surveys/thanks.html",
            {"language": language, "switch": _switch(request.path)},
        )
    return _private(response)

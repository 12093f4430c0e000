"""The survey measures (registered in mend.outcomes.catalogue). Ratios are two counts: a
reader divides `survey_satisfied` by `survey_satisfied_asked`, and both drill down to
the answers behind them. Rules written out in docs/measures.md."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Participant
from mend.outcomes.measures import Dimension, Measure
from mend.outcomes.models import AGREEING, SurveyAnswer, SurveyKind
from mend.outcomes.periods import Period
from mend.outcomes.survey_queries import sent_in
from mend.outcomes.words import choice_words
from mend.programs.models import Program

BY_KIND = Dimension("kind", _("Survey"), "kind", choice_words(SurveyKind))
BY_ROLE = Dimension("role", _("Role"), "role", choice_words(Participant.Role))


def sent(program: Program, period: Period) -> QuerySet[Any]:
    return sent_in(program, period)


def answered(program: Program, period: Period) -> QuerySet[Any]:
    return sent_in(program, period).filter(answered=True)


def _answers(program: Program, period: Period, code: str) -> QuerySet[Any]:
    return SurveyAnswer.objects.filter(
        response__program=program,
        response__answered_on__gte=period.start,
        response__answered_on__lt=period.end,
        code=code,
    ).exclude(choice="")


def satisfied_asked(program: Program, period: Period) -> QuerySet[Any]:
    return _answers(program, period, "satisfied")


def satisfied(program: Program, period: Period) -> QuerySet[Any]:
    return satisfied_asked(program, period).filter(choice__in=AGREEING)


def _safe(kind: str, agreeing: bool, question: str = "safe") -> Any:
    def rows(program: Program, period: Period) -> QuerySet[Any]:
        found = _answers(program, period, question).filter(
            response__kind=kind, response__role=Participant.Role.HARMED
        )
        return found.filter(choice__in=AGREEING) if agreeing else found

    return rows


SURVEYS_SENT = Measure(
    code="surveys_sent",
    label=_("Surveys sent"),
    rule=_(
        "Every survey sent to a participant in the period, by e-mail or as a link handed "
        "over, counted on the day it was sent. Answers through a program-wide anonymous "
        "link are not counted: nobody was sent them."
    ),
    rows=sent,
    case_path="participant__case",
    date_path="sent_at",
    dimensions=(BY_KIND, BY_ROLE),
)
SURVEYS_ANSWERED = Measure(
    code="surveys_answered",
    label=_("Surveys answered"),
    rule=_(
        "Of the surveys counted as sent in the period, those answered by now, whenever the "
        "answer came. Divided by surveys sent, it is the response rate."
    ),
    rows=answered,
    case_path="participant__case",
    date_path="sent_at",
    dimensions=(BY_KIND, BY_ROLE),
)
SURVEY_SATISFIED = Measure(
    code="survey_satisfied",
    label=_("Satisfied with the process"),
    rule=_(
        "Answers received in the period to the question coded “satisfied”, in any version, "
        "that were “agree” or “strongly agree”. Anonymous answers count. Divide by the "
        "next figure for the share satisfied."
    ),
    rows=satisfied,
    case_path="response__case",
    date_path="response__answered_on",
)
SURVEY_SATISFIED_ASKED = Measure(
    code="survey_satisfied_asked",
    label=_("Answered the satisfaction question"),
    rule=_(
        "Answers received in the period to the question coded “satisfied”, in any version, "
        "whatever the answer; a question left blank is not counted."
    ),
    rows=satisfied_asked,
    case_path="response__case",
    date_path="response__answered_on",
)


def _safe_measure(kind: str, agreeing: bool) -> Measure:
    when = "before" if kind == SurveyKind.BASELINE else "after"
    if agreeing:
        label = (
            _("Harmed parties feeling safe before the process")
            if kind == SurveyKind.BASELINE
            else _("Harmed parties feeling safe after the process")
        )
        rule = (
            _(
                "Harmed parties' answers received in the period to “safe” in the survey "
                "before the process, that were “agree” or “strongly agree”."
            )
            if kind == SurveyKind.BASELINE
            else _(
                "Harmed parties' answers received in the period to “safe” in the survey "
                "after the process, that were “agree” or “strongly agree”."
            )
        )
    else:
        label = (
            _("Harmed parties asked about safety before the process")
            if kind == SurveyKind.BASELINE
            else _("Harmed parties asked about safety after the process")
        )
        rule = (
            _(
                "Harmed parties' answers received in the period to “safe” in the survey "
                "before the process, whatever the answer."
            )
            if kind == SurveyKind.BASELINE
            else _(
                "Harmed parties' answers received in the period to “safe” in the survey "
                "after the process, whatever the answer."
            )
        )
    return Measure(
        code=f"survey_safe_{when}" + ("" if agreeing else "_asked"),
        label=label,
        rule=rule,
        rows=_safe(kind, agreeing),
        case_path="response__case",
        date_path="response__answered_on",
    )


def _fear_measure(code: str, kind: str, agreeing: bool, label: Any, rule: Any) -> Measure:
    return Measure(
        code=code,
        label=label,
        rule=rule,
        rows=_safe(kind, agreeing, "fear_again"),
        case_path="response__case",
        date_path="response__answered_on",
    )


FEAR_MEASURES = (
    _fear_measure(
        "survey_fear_before",
        SurveyKind.BASELINE,
        True,
        _("Harmed parties afraid it will happen again, before the process"),
        _(
            "Harmed parties' answers received in the period to “fear_again” in the survey "
            "before the process, that were “agree” or “strongly agree”."
        ),
    ),
    _fear_measure(
        "survey_fear_before_asked",
        SurveyKind.BASELINE,
        False,
        _("Harmed parties asked about fear of it happening again, before the process"),
        _(
            "Harmed parties' answers received in the period to “fear_again” in the survey "
            "before the process, whatever the answer."
        ),
    ),
    _fear_measure(
        "survey_fear_after",
        SurveyKind.AFTER,
        True,
        _("Harmed parties afraid it will happen again, after the process"),
        _(
            "Harmed parties' answers received in the period to “fear_again” in the survey "
            "after the process, that were “agree” or “strongly agree”."
        ),
    ),
    _fear_measure(
        "survey_fear_after_asked",
        SurveyKind.AFTER,
        False,
        _("Harmed parties asked about fear of it happening again, after the process"),
        _(
            "Harmed parties' answers received in the period to “fear_again” in the survey "
            "after the process, whatever the answer."
        ),
    ),
)

SURVEY_MEASURES = (
    SURVEYS_SENT,
    SURVEYS_ANSWERED,
    SURVEY_SATISFIED,
    SURVEY_SATISFIED_ASKED,
    _safe_measure(SurveyKind.BASELINE, True),
    _safe_measure(SurveyKind.BASELINE, False),
    _safe_measure(SurveyKind.AFTER, True),
    _safe_measure(SurveyKind.AFTER, False),
    *FEAR_MEASURES,
)

"""The surveys a program starts with, modelled on the field's instruments.

The AFTER survey asks what evaluations of restorative justice ask everywhere (the
Ministry of Justice's evaluation of restorative justice schemes, the RJC's service
standards, the procedural-justice items of victim surveys): satisfaction, the process
explained, fairness, voice, being listened to, respect, a neutral facilitator, the harm
repaired, and whether the person would recommend it. Harmed parties are asked, before
and after, whether they fear it will happen again and whether they feel safe, so the
change can be measured.

The words are data, in English and Spanish, stored with each version: once a version has
gone out, they never change (a catalogue update must not rewrite what people answered).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mend.outcomes.models import QuestionKind, SurveyKind

HARMED = "harmed"


@dataclass(frozen=True)
class DefaultQuestion:
    code: str
    kind: str
    text: str
    text_es: str
    roles: tuple[str, ...] = field(default_factory=tuple)


AGREE, YES_NO, TEXT = QuestionKind.AGREE, QuestionKind.YES_NO, QuestionKind.TEXT

# Asked of harmed parties before and after, under the same codes.
SAFETY = (
    DefaultQuestion(
        "fear_again",
        AGREE,
        "I am afraid that what happened will happen again.",
        "Tengo miedo de que lo que pasó vuelva a ocurrir.",
        (HARMED,),
    ),
    DefaultQuestion(
        "safe",
        AGREE,
        "I feel safe.",
        "Me siento seguro o segura.",
        (HARMED,),
    ),
)

BASELINE = (
    DefaultQuestion(
        "understood",
        AGREE,
        "I understand what the restorative process will involve.",
        "Entiendo en qué consistirá el proceso restaurativo.",
    ),
    DefaultQuestion(
        "ready",
        AGREE,
        "I feel ready to take part.",
        "Me siento preparado o preparada para participar.",
    ),
    *SAFETY,
    DefaultQuestion(
        "hopes",
        TEXT,
        "What do you hope will come from the process?",
        "¿Qué espera que salga del proceso?",
    ),
)

AFTER = (
    DefaultQuestion(
        "satisfied",
        AGREE,
        "Overall, I am satisfied with the process.",
        "En general, estoy satisfecho o satisfecha con el proceso.",
    ),
    DefaultQuestion(
        "explained",
        AGREE,
        "The process was explained to me.",
        "Me explicaron el proceso.",
    ),
    DefaultQuestion("fair", AGREE, "The process was fair to me.", "El proceso fue justo conmigo."),
    DefaultQuestion(
        "voice",
        AGREE,
        "I could say what mattered to me.",
        "Pude decir lo que era importante para mí.",
    ),
    DefaultQuestion("listened", AGREE, "I was listened to.", "Me escucharon."),
    DefaultQuestion("respect", AGREE, "I was treated with respect.", "Me trataron con respeto."),
    DefaultQuestion(
        "neutral",
        AGREE,
        "The facilitator was neutral: they took no side.",
        "El facilitador o la facilitadora fue neutral: no tomó partido.",
    ),
    DefaultQuestion(
        "repaired",
        AGREE,
        "The harm was repaired, as far as it could be.",
        "El daño fue reparado, en la medida de lo posible.",
    ),
    DefaultQuestion(
        "recommend",
        YES_NO,
        "Would you recommend the process to others?",
        "¿Recomendaría el proceso a otras personas?",
    ),
    *SAFETY,
    DefaultQuestion(
        "comments",
        TEXT,
        "Is there anything else you would like to tell us?",
        "¿Hay algo más que quiera contarnos?",
    ),
)

DEFAULTS: dict[str, tuple[DefaultQuestion, ...]] = {
    SurveyKind.BASELINE: BASELINE,
    SurveyKind.AFTER: AFTER,
}

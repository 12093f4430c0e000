"""Survey versions keep their words once sent; the staff pages show what was sent, the
response rates, and hand over links; the survey measures count what their rules say."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.outcomes import measures
from mend.outcomes.models import SurveyInvitation, SurveyQuestion, SurveyResponse
from mend.outcomes.periods import program_today, quarter_containing
from mend.outcomes.survey_answers import Given, answer_survey
from mend.outcomes.survey_services import (
    QuestionDraft,
    current_version,
    make_anonymous_link,
    revise_questions,
    survey_of,
)
from mend.testing.personas import World
from mend.testing.surveys import case_in_contact, hand_over, harmed, responsible


def _drafts(template_kind: str, world: World, extra: str = "") -> list[QuestionDraft]:
    version = current_version(survey_of(world.program, template_kind))
    drafts = [
        QuestionDraft(q.code, q.kind, q.text + extra, q.text_es, tuple(q.roles), q.required)
        for q in version.questions.all()
    ]
    return drafts


def test_changing_the_questions_of_a_sent_version_makes_a_new_one(world: World) -> None:
    template = survey_of(world.program, "baseline")
    unsent = current_version(template)
    revise_questions(
        template=template,
        questions=_drafts("baseline", world, " (edited)"),
        by=world["coordinator"],
        expected_version=None,
    )
    # Not sent yet: changed in place.
    assert current_version(template) == unsent and template.versions.count() == 1
    case = case_in_contact(world)  # the baseline goes out: version 1 is now fixed
    token = hand_over(world, responsible(case))
    revise_questions(
        template=template,
        questions=_drafts("baseline", world, " Really."),
        by=world["coordinator"],
        expected_version=None,
    )
    second = current_version(template)
    assert second.number == 2
    first_words = set(unsent.questions.values_list("text", flat=True))
    assert all(text.endswith("(edited)") for text in first_words)
    assert set(second.questions.values_list("code", flat=True)) == set(
        unsent.questions.values_list("code", flat=True)
    )
    # The invitation sent before keeps its version, and so does its answer.
    answer_survey(token=token, answers={"ready": Given(choice="agree")}, language="en")
    assert SurveyResponse.objects.get().version == unsent


def test_questions_with_a_repeated_code_or_missing_spanish_are_refused(world: World) -> None:
    template = survey_of(world.program, "after")
    drafts = _drafts("after", world)
    with pytest.raises(ValidationError):
        revise_questions(
            template=template,
            questions=[*drafts, drafts[0]],
            by=world["coordinator"],
            expected_version=None,
        )
    bad = QuestionDraft("new", "agree", "A new question.", " ")
    with pytest.raises(ValidationError):
        revise_questions(
            template=template, questions=[bad], by=world["coordinator"], expected_version=None
        )
    stale = template.version - 1
    with pytest.raises(ValidationError):
        revise_questions(
            template=template, questions=drafts, by=world["coordinator"], expected_version=stale
        )


def test_the_default_after_survey_asks_what_the_field_asks(world: World) -> None:
    version = current_version(survey_of(world.program, "after"))
    codes = list(version.questions.values_list("code", flat=True))
    for code in (
        "satisfied",
        "explained",
        "fair",
        "voice",
        "listened",
        "respect",
        "neutral",
        "repaired",
        "recommend",
        "fear_again",
        "safe",
    ):
        assert code in codes
    harmed_only = SurveyQuestion.objects.filter(version=version, roles=["harmed"])
    assert set(harmed_only.values_list("code", flat=True)) == {"fear_again", "safe"}
    assert all(q.text_es for q in version.questions.all())


def test_the_sent_list_shows_status_and_hands_over_a_link_once(world: World) -> None:
    case = case_in_contact(world)
    client = Client()
    client.force_login(world["coordinator"])
    page = client.get(reverse("outcomes:survey_sent")).content.decode()
    assert "Hana0 Harmed" in page and "Rory0 Responsible" in page
    waiting = SurveyInvitation.objects.get(participant=responsible(case))
    assert f'action="{reverse("outcomes:survey_hand_over", args=[waiting.pk])}"' in page
    made = client.post(
        reverse("outcomes:survey_hand_over", args=[waiting.pk]), {"version": waiting.row_version}
    )
    token = re.search(r"/surveys/([A-Za-z0-9_\-]+)/", made.content.decode())
    assert token is not None
    assert Client().get(reverse("outcomes:survey_answer", args=[token[1]])).status_code == 200
    # The same form again, on the version it was opened on: refused, nothing changes.
    again = client.post(
        reverse("outcomes:survey_hand_over", args=[waiting.pk]),
        {"version": waiting.row_version},
        follow=True,
    )
    assert "Someone made a link for this survey meanwhile" in again.content.decode()
    SurveyInvitation.objects.filter(pk=waiting.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    page = client.get(reverse("outcomes:survey_sent")).content.decode()
    assert "Expired" in page


def test_response_rates_are_answered_over_sent_by_survey_and_by_role(world: World) -> None:
    case = case_in_contact(world)
    token = hand_over(world, responsible(case))
    answer_survey(token=token, answers={"ready": Given(choice="agree")}, language="en")
    client = Client()
    client.force_login(world["coordinator"])
    period = quarter_containing(program_today(world.program))
    page = client.get(reverse("outcomes:surveys") + f"?quarter={period.code}")
    body = page.content.decode()
    assert page.status_code == 200
    rows = re.findall(
        r"<tr><th scope=\"row\">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>", body
    )
    assert ("Before the process", "2", "1", "50%") in rows
    assert ("After the process", "0", "0", "—") in rows
    assert ("Responsible party", "1", "1", "100%") in rows
    assert ("Harmed party", "1", "0", "0%") in rows
    earlier = period.previous()
    body = client.get(reverse("outcomes:surveys") + f"?quarter={earlier.code}").content.decode()
    assert "No surveys were sent in this quarter." in body


def test_the_survey_measures_count_what_their_rules_say(world: World) -> None:
    case = case_in_contact(world)
    period = quarter_containing(program_today(world.program))
    hana = SurveyInvitation.objects.get(participant=harmed(case))
    # The harmed party answers through a link handed over (made by-hand for the test).
    SurveyInvitation.objects.filter(pk=hana.pk).update(channel="by_hand")
    answer_survey(
        token=hand_over(world, harmed(case)),
        answers={"safe": Given(choice="agree"), "fear_again": Given(choice="disagree")},
        language="en",
    )
    answer_survey(
        token=hand_over(world, responsible(case)),
        answers={"ready": Given(choice="agree")},
        language="en",
    )

    def value(code: str) -> object:
        measure = measures.get(code)
        assert measure is not None and str(measure.rule)
        return measure.value(world.program, period)

    assert value("surveys_sent") == 2 and value("surveys_answered") == 2
    assert value("survey_safe_before") == 1 and value("survey_safe_before_asked") == 1
    assert value("survey_safe_after") == 0 and value("survey_satisfied_asked") == 0
    # "Disagree" to fear of it happening again: asked, and not afraid.
    assert value("survey_fear_before") == 0 and value("survey_fear_before_asked") == 1
    assert value("survey_fear_after_asked") == 0
    # Anonymous answers through a program-wide link count towards satisfaction.
    _link, anonymous = make_anonymous_link(
        version=current_version(survey_of(world.program, "after")), by=world["coordinator"]
    )
    for choice in ("strongly_agree", "neither"):
        answer_survey(token=anonymous, answers={"satisfied": Given(choice)}, language="es")
    assert value("survey_satisfied") == 1 and value("survey_satisfied_asked") == 2
    assert value("surveys_answered") == 2  # nobody was sent the anonymous link
    sent = measures.get("surveys_sent")
    assert sent is not None and sent.breakdown(world.program, period, "role") == {
        "harmed": 1,
        "responsible": 1,
    }


def _question_data(world: World, **changes: str) -> dict[str, str]:
    template = survey_of(world.program, "after")
    data = {"version": str(template.version)}
    for q in current_version(template).questions.all():
        data[f"text__{q.code}"] = q.text
        data[f"text_es__{q.code}"] = q.text_es
        if q.required:
            data[f"required__{q.code}"] = "on"
    data.update(changes)
    return data


def test_the_questions_page_saves_a_new_version_once_the_old_one_was_sent(world: World) -> None:
    template = survey_of(world.program, "after")
    first = current_version(template)
    make_anonymous_link(version=first, by=world["coordinator"])  # sent: words now fixed
    client = Client()
    client.force_login(world["coordinator"])
    url = reverse("outcomes:survey_questions", args=["after"])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        _question_data(world, text_es__fair="", new_code="helpful", remove__comments="on"),
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Write the question in Spanish." in body
    assert "Choose what kind of answer the new question takes." in body
    assert template.versions.count() == 1
    saved = client.post(
        url,
        _question_data(
            world,
            text__fair="The process was fair.",
            remove__comments="on",
            new_code="helpful",
            new_kind="agree",
            new_text="The process helped me.",
            new_text_es="El proceso me ayudó.",
            new_harmed_only="on",
        ),
    )
    assert saved.status_code == 302
    second = current_version(template)
    assert second.number == 2
    codes = list(second.questions.values_list("code", flat=True))
    assert "comments" not in codes and codes[-1] == "helpful"
    assert second.questions.get(code="helpful").roles == ["harmed"]
    assert second.questions.get(code="fair").text == "The process was fair."
    assert first.questions.get(code="fair").text == "The process was fair to me."
    # A second form opened on the old version is refused, and nothing changes.
    stale = client.post(url, _question_data(world, version="1"))
    assert stale.status_code == 409 and template.versions.count() == 2


def test_a_staff_survey_form_without_the_version_it_was_opened_on_changes_nothing(
    world: World,
) -> None:
    case = case_in_contact(world)
    client = Client()
    client.force_login(world["coordinator"])
    waiting = SurveyInvitation.objects.get(participant=responsible(case))
    refused = client.post(reverse("outcomes:survey_hand_over", args=[waiting.pk]), follow=True)
    assert "This form is out of date" in refused.content.decode()
    waiting.refresh_from_db()
    assert waiting.row_version == 1

    template = survey_of(world.program, "after")
    url = reverse("outcomes:survey_questions", args=["after"])
    data = _question_data(world, text__fair="Changed without a version.")
    del data["version"]
    stale = client.post(url, data)
    assert stale.status_code == 400
    assert "This form is out of date" in stale.content.decode()
    template.refresh_from_db()
    assert current_version(template).questions.get(code="fair").text != (
        "Changed without a version."
    )

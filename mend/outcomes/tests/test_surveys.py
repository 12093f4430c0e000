"""A participant answers a survey from its link, in their language; anonymous answers
carry no identity; bad input and used or unknown links are refused cleanly."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from frictionless import validate

from mend.cases.models import Person
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.outcomes.export import writer
from mend.outcomes.export.tables import Variant
from mend.outcomes.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from mend.outcomes.survey_sending import send_survey
from mend.outcomes.survey_services import make_anonymous_link, survey_of
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, submit, to_stage
from mend.testing.personas import World
from mend.testing.surveys import case_in_contact, emailed_tokens, hand_over, harmed, responsible

Capture = Any


def _url(token: str, language: str = "") -> str:
    url = reverse("outcomes:survey_answer", args=[token])
    return f"{url}?lang={language}" if language else url


def test_a_survey_round_trip_in_spanish_and_in_english(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    # The harmed party speaks Spanish and has an e-mail address; the responsible party
    # has none, so their survey waits to be handed over.
    case = to_stage(world, submit(world), Stage.CONTACT)
    Person.objects.filter(given_name="Hana0").update(preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        consent_all(world, case, ConsentPurpose.CONTACT, ConsentPurpose.EVALUATION)
    hana, rory = harmed(case), responsible(case)
    assert SurveyInvitation.objects.filter(kind="baseline").count() == 2
    assert [m.to for m in mail.outbox] == [[str(hana.person.email)]]
    assert "Unas preguntas de" in mail.outbox[0].subject
    assert case.reference not in mail.outbox[0].body
    (token,) = emailed_tokens()
    stored = SurveyInvitation.objects.get(participant=hana)
    assert token not in stored.token_hash and len(stored.token_hash) == 64

    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert '<html lang="es">' in body
    assert "Me siento seguro o segura." in body  # asked of harmed parties only
    assert "Enviar mis respuestas" in body
    assert "I feel safe." not in body
    english = client.get(_url(token, "en")).content.decode()
    assert '<html lang="en">' in english and "I feel safe." in english

    answered = client.post(
        _url(token, "es"),
        {"q_understood": "agree", "q_safe": "disagree", "q_hopes": "Que entienda el daño."},
    )
    assert answered.status_code == 302
    thanks = client.get(answered["Location"])
    assert "Gracias" in thanks.content.decode()
    response = SurveyResponse.objects.get()
    assert response.participant == hana and response.case == case
    assert response.invitation == stored and response.language == "es"
    version = survey_of(world.program, "baseline").versions.get()
    assert response.version == version
    codes = set(version.questions.values_list("code", flat=True))
    assert {a.code for a in response.answers.all()} == {"understood", "safe", "hopes"} <= codes
    assert SurveyAnswer.objects.get(code="hopes").text == "Que entienda el daño."

    # The responsible party, in English, through a link handed over; no safety questions.
    rory_token = hand_over(world, rory)
    page = client.get(_url(rory_token))
    body = page.content.decode()
    assert '<html lang="en">' in body and "I feel ready to take part." in body
    assert "I feel safe." not in body
    assert client.post(_url(rory_token), {"q_ready": "strongly_agree"}).status_code == 302
    assert SurveyResponse.objects.get(participant=rory).answers.get().choice == "strongly_agree"


def _values(row: Any, *leave_out: str) -> list[Any]:
    """What a row holds, less its own id and the links named (to its survey's parts)."""
    fields = row._meta.concrete_fields
    return [getattr(row, f.attname) for f in fields if f.name not in {"id", *leave_out}]


def test_an_anonymous_answer_carries_no_identity(world: World) -> None:
    case = case_in_contact(world)
    rory = responsible(case)
    SurveyInvitation.objects.filter(participant=rory).delete()
    sent = send_survey(participant=rory, kind="baseline", by=world["coordinator"], anonymous=True)
    assert Client().post(_url(sent.token), {"q_ready": "agree"}).status_code == 302

    response = SurveyResponse.objects.get()
    assert response.anonymous
    assert response.participant_id is None
    assert response.invitation_id is None
    assert response.case_id is None
    person = rory.person
    ids = {person.pk, rory.pk, case.pk, sent.invitation.pk}
    names = {person.given_name, person.family_name, person.full_name, case.reference}
    held = _values(response, "program", "version") + [
        v for a in response.answers.all() for v in _values(a, "response", "question")
    ]
    assert not ids & {v for v in held if isinstance(v, int) and not isinstance(v, bool)}
    assert not any(name in str(v) for v in held for name in names)
    # Only the month: no day or moment that could be matched with the invitation.
    assert type(response.answered_on).__name__ == "date"
    assert response.answered_on.day == 1
    invitation = SurveyInvitation.objects.get(pk=sent.invitation.pk)
    assert invitation.answered and invitation.answered_at is None
    event = AuditEvent.objects.get(action="survey.answered_anonymously")
    assert (event.object_id, event.subject_id, event.details) == ("", "", {})


def test_a_program_wide_anonymous_link_takes_many_answers_with_no_identity(world: World) -> None:
    version = survey_of(world.program, "after").versions.get()
    _link, token = make_anonymous_link(version=version, by=world["coordinator"])
    body = Client().get(_url(token)).content.decode()
    assert "Overall, I am satisfied with the process." in body
    assert "I feel safe." not in body  # asked of harmed parties; nobody is known here
    for choice in ("agree", "strongly_disagree"):
        assert Client().post(_url(token), {"q_satisfied": choice}).status_code == 302
    responses = SurveyResponse.objects.all()
    assert [r.anonymous for r in responses] == [True, True]
    assert {(r.participant_id, r.invitation_id, r.case_id, r.role) for r in responses} == {
        (None, None, None, "")
    }
    assert version.responses.count() == 2


def test_invalid_answers_give_field_errors_and_store_nothing(world: World) -> None:
    case = case_in_contact(world)
    token = hand_over(world, responsible(case))
    client = Client()
    page = client.post(_url(token), {"q_ready": "maybe", "q_hopes": "x" * 2001})
    assert page.status_code == 400
    body = page.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_q_ready_0"' in body and 'id="id_q_ready_error"' in body
    assert "Choose one of the answers shown." in body
    assert "Write at most 2000 characters." in body
    empty = client.post(_url(token), {})
    assert empty.status_code == 400 and "Answer at least one question" in empty.content.decode()
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert not SurveyInvitation.objects.get(participant=responsible(case)).answered


def test_a_used_link_cannot_answer_twice(world: World) -> None:
    case = case_in_contact(world)
    token = hand_over(world, responsible(case))
    client = Client()
    assert client.post(_url(token), {"q_ready": "agree"}).status_code == 302
    again = client.post(_url(token), {"q_ready": "disagree"})
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert client.get(_url(token)).status_code == 410
    assert SurveyResponse.objects.get().answers.get().choice == "agree"


def test_an_unknown_link_is_a_plain_not_found_page(world: World) -> None:
    for token in ("no-such-token", "x" * 300):
        page = Client().get(_url(token))
        assert page.status_code == 404
        assert "There is no survey at this address" in page.content.decode()
    page = Client().get(_url("no-such-token", "es"))
    assert page.status_code == 404 and '<html lang="es">' in page.content.decode()


def test_the_person_free_export_does_not_say_whether_an_anonymous_survey_was_answered(
    world: World, tmp_path: Path
) -> None:
    case = case_in_contact(world)
    hana, rory = harmed(case), responsible(case)
    SurveyInvitation.objects.filter(participant__in=[hana, rory]).delete()
    named = send_survey(participant=hana, kind="baseline", by=world["coordinator"])
    hidden = send_survey(participant=rory, kind="baseline", by=world["coordinator"], anonymous=True)
    for sent in (named, hidden):
        assert Client().post(_url(sent.token), {"q_ready": "agree"}).status_code == 302

    def invitations(variant: Variant) -> dict[str, str]:
        archive = zipfile.ZipFile(io.BytesIO(b"".join(writer.stream(world.program, variant))))
        if variant == Variant.PERSON_FREE:
            archive.extractall(tmp_path)
        text = archive.read("data/outcomes.surveyinvitation.csv").decode()
        return {row["id"]: row["answered"] for row in csv.DictReader(io.StringIO(text))}

    person_free = invitations(Variant.PERSON_FREE)
    assert person_free[str(named.invitation.pk)] == "true"
    assert person_free[str(hidden.invitation.pk)] == ""
    # The program's own full export keeps what the program needs to send reminders.
    assert invitations(Variant.FULL)[str(hidden.invitation.pk)] == "true"
    assert validate(str(tmp_path / "datapackage.json")).valid

"""No survey, and no reminder, goes to anyone whose consent to be contacted for
evaluation is not current at that moment; surveys go at the two moments they are for."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mend.cases import services
from mend.cases.models import ConsentEntry, Person
from mend.cases.services.base import Blocked
from mend.cases.stages import Outcome, Stage
from mend.outcomes.models import OutcomeSettings, SurveyInvitation
from mend.outcomes.survey_reminders import due_reminders, remind
from mend.outcomes.survey_sending import send_survey
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, submit, to_stage
from mend.testing.personas import World
from mend.testing.surveys import case_in_contact, decide, emailed_tokens, harmed, responsible

Capture = Any
EVALUATION = ConsentPurpose.EVALUATION
GIVEN, DECLINED, WITHDRAWN = (
    ConsentEntry.Decision.GIVEN,
    ConsentEntry.Decision.DECLINED,
    ConsentEntry.Decision.WITHDRAWN,
)


def _refused(world: World, participant: Any) -> str:
    with pytest.raises(Blocked) as refusal:
        send_survey(participant=participant, kind="after", by=world["coordinator"])
    return str(refusal.value)


def _age(invitation: SurveyInvitation, days: int) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=invitation.sent_at - timedelta(days=days)
    )


def test_no_survey_goes_without_evaluation_consent_ever_given(world: World) -> None:
    case = case_in_contact(world, evaluation=False)
    assert not SurveyInvitation.objects.exists()
    assert "consent to be contacted for evaluation" in _refused(world, harmed(case))
    # Through the page, the same refusal as a message on the form, and nothing sent.
    client = Client()
    client.force_login(world["coordinator"])
    url = reverse("outcomes:survey_send") + f"?case={case.reference}"
    page = client.post(url, {"participant": harmed(case).pk, "kind": "after"})
    assert page.status_code == 409
    assert "has not given consent to be contacted for evaluation" in page.content.decode()
    assert not SurveyInvitation.objects.exists() and not mail.outbox


def test_no_survey_goes_to_someone_who_declined(world: World) -> None:
    case = case_in_contact(world, evaluation=False)
    decide(world, harmed(case), EVALUATION, DECLINED)
    assert not SurveyInvitation.objects.exists()
    _refused(world, harmed(case))


def test_consent_withdrawn_after_the_survey_went_stops_the_reminder(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_contact(world)
    hana = harmed(case)
    invitation = SurveyInvitation.objects.get(participant=hana)
    assert len(mail.outbox) == 1
    decide(world, hana, EVALUATION, WITHDRAWN)
    _age(invitation, 8)
    assert due_reminders() == [invitation.pk]  # owed by the calendar...
    assert remind(invitation.pk) is False  # ...but consent is asked again, and is gone
    call_command("send_survey_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert SurveyInvitation.objects.get(pk=invitation.pk).reminded_at is None
    _refused(world, hana)


def test_a_withdrawn_participant_gets_no_survey_and_no_reminder(world: World) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    rory = responsible(case)
    Person.objects.filter(pk=rory.person_id).update(email="rory@example.org")
    consent_all(world, case, ConsentPurpose.CONTACT, EVALUATION)
    baseline = SurveyInvitation.objects.get(participant=rory)
    assert baseline.channel == "email"
    services.withdraw_participant(
        participant=rory,
        method=ConsentEntry.Method.VERBAL,
        reason="Moved away.",
        by=world["facilitator"],
        expected_version=None,
    )
    assert "withdrawn from the case" in _refused(world, rory)
    _age(baseline, 8)
    assert remind(baseline.pk) is False
    assert not mail.outbox


def test_the_after_survey_goes_at_completion_only_to_those_with_current_consent(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    case = to_stage(world, submit(world), Stage.AGREEMENT)
    consent_all(world, case, EVALUATION)
    decide(world, responsible(case), EVALUATION, WITHDRAWN)
    assert not SurveyInvitation.objects.filter(kind="after").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.close_case(
            case=case,
            outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT,
            by=world["facilitator"],
            expected_version=None,
        )
    after = SurveyInvitation.objects.filter(kind="after")
    assert [i.participant_id for i in after] == [harmed(case).pk]
    assert len(emailed_tokens()) == 1


def test_a_case_closed_as_not_completed_sends_no_after_survey(world: World) -> None:
    case = case_in_contact(world)
    services.close_case(
        case=case, outcome=Outcome.UNABLE_TO_CONTACT, by=world["facilitator"], expected_version=None
    )
    assert not SurveyInvitation.objects.filter(kind="after").exists()


def test_one_reminder_goes_after_the_reminder_days_with_a_link_that_works(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    OutcomeSettings.objects.create(program=world.program, survey_reminder_days=3)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_contact(world)
    invitation = SurveyInvitation.objects.get(participant=harmed(case))
    _age(invitation, 2)
    assert due_reminders() == []
    _age(invitation, 3)
    call_command("send_survey_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2 and "reminder" in mail.outbox[1].subject
    first, second = emailed_tokens()
    assert first != second
    call_command("send_survey_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # once only
    # Either link opens the survey until it is answered.
    client = Client()
    assert client.get(reverse("outcomes:survey_answer", args=[first])).status_code == 200
    url = reverse("outcomes:survey_answer", args=[second])
    assert client.post(url, {"q_safe": "agree"}).status_code == 302
    assert client.get(reverse("outcomes:survey_answer", args=[first])).status_code == 410


def test_a_program_that_never_reminds_sends_no_reminder(world: World) -> None:
    OutcomeSettings.objects.create(program=world.program, survey_reminder_days=0)
    case = case_in_contact(world)
    _age(SurveyInvitation.objects.get(participant=harmed(case)), 30)
    assert due_reminders() == []

"""Surveys for tests, through the real services."""

from __future__ import annotations

import re

from django.core import mail
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, ConsentEntry, Participant
from mend.cases.stages import Stage
from mend.outcomes.models import SurveyInvitation
from mend.outcomes.survey_sending import hand_over_link
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, parties, submit, to_stage
from mend.testing.personas import World

LINK = re.compile(r"https?://\S+/surveys/(?P<token>[A-Za-z0-9_\-]+)/")


def case_in_contact(world: World, *, evaluation: bool = True) -> Case:
    """A case in Contact, everyone having agreed to be contacted (and, unless told
    otherwise, to be contacted for evaluation): the baseline surveys go out."""
    case = to_stage(world, submit(world), Stage.CONTACT)
    purposes = [ConsentPurpose.CONTACT] + ([ConsentPurpose.EVALUATION] if evaluation else [])
    consent_all(world, case, *purposes)
    return case


def decide(world: World, participant: Participant, purpose: str, decision: str) -> None:
    services.record_consents(
        participant=participant,
        decisions={purpose: decision},
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )


def harmed(case: Case) -> Participant:
    return parties(case, Participant.Role.HARMED)[0]


def responsible(case: Case) -> Participant:
    return parties(case, Participant.Role.RESPONSIBLE)[0]


def emailed_tokens() -> list[str]:
    return [m["token"] for message in mail.outbox for m in LINK.finditer(str(message.body))]


def hand_over(world: World, participant: Participant, kind: str = "baseline") -> str:
    """A fresh link to the participant's waiting survey (one with no e-mail address)."""
    invitation = SurveyInvitation.objects.get(participant=participant, kind=kind, answered=False)
    _invitation, token = hand_over_link(
        invitation=invitation, by=world["coordinator"], expected_version=None
    )
    return token

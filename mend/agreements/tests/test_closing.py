"""Closing a case with an agreement, and what the referrer and partner systems learn."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.agreements import services
from mend.agreements.models import Agreement, Term
from mend.agreements.stage_rules import agreement_done
from mend.cases import registry
from mend.cases import services as case_services
from mend.cases.models import Case, Participant, Referral
from mend.cases.queries import case_facts
from mend.cases.services.base import Blocked
from mend.cases.stages import Outcome, Stage
from mend.core.models import AuditEvent
from mend.partners.services import create_api_key
from mend.testing.agreements import (
    agreement_case,
    apology,
    binding,
    draft,
    restitution,
    sign_all,
)
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

NOTE = "Rory said he is sorry and will pay back the repair by spring."


def _close(world: World, case: Case, outcome: str = Outcome.COMPLETED_WITH_AGREEMENT) -> Case:
    return case_services.close_case(
        case=case, outcome=outcome, by=world["coordinator"], expected_version=None
    )


def _set(world: World, term: Term, status: str, reason: str = "") -> None:
    term.refresh_from_db()
    services.set_term_status(
        term=term,
        status=status,
        reason=reason,
        by=world["facilitator"],
        expected_version=None,
    )


def _done_with_agreement(world: World) -> Case:
    case = agreement_case(world)
    agreement = binding(world, case, [apology(world, case)])
    _set(world, agreement.terms.get(), Term.Status.COMPLETED)
    return case


def test_a_case_cannot_close_as_completed_with_agreement_while_a_term_is_open(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case)
    money = agreement.terms.get(kind=Term.Kind.RESTITUTION)
    _set(world, agreement.terms.get(kind=Term.Kind.APOLOGY_SPOKEN), Term.Status.COMPLETED)
    _set(world, money, Term.Status.IN_PROGRESS)
    with pytest.raises(Blocked) as refused:
        _close(world, case)
    assert refused.value.messages == [
        "The restitution term of Rory0 Responsible's agreement is still in progress.",
        "Some terms are not completed: reconvene the parties for a new version, or close "
        "as agreement not completed.",
    ]
    case.refresh_from_db()
    assert case.stage == Stage.AGREEMENT
    _set(world, money, Term.Status.WAIVED, reason="The harmed party forgave the debt.")
    _close(world, case)
    assert case.stage == Stage.CLOSED


def test_a_term_renegotiated_into_one_completed_counts_as_done(world: World) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [apology(world, case), restitution(world, case)])
    _set(world, agreement.terms.get(kind=Term.Kind.APOLOGY_SPOKEN), Term.Status.COMPLETED)
    new = services.renegotiate_term(
        term=agreement.terms.get(kind=Term.Kind.RESTITUTION),
        details=apology(world, case),
        reason="An apology in writing instead of the money.",
        by=world["facilitator"],
        expected_version=None,
    )
    with pytest.raises(Blocked) as refused:
        _close(world, case)
    assert refused.value.messages[0] == (
        "The apology, spoken term of Rory0 Responsible's agreement has not been started."
    )
    _set(world, new, Term.Status.COMPLETED)
    _close(world, case)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.COMPLETED


def test_completed_with_agreement_needs_an_agreement_every_party_agreed_to(world: World) -> None:
    case = agreement_case(world)
    with pytest.raises(Blocked) as refused:
        _close(world, case)
    assert "No agreement has been agreed by every party" in refused.value.messages[0]
    draft(world, case)
    with pytest.raises(Blocked) as refused:
        _close(world, case)
    assert "No agreement has been agreed by every party" in refused.value.messages[0]
    # Completed without agreement asks nothing of agreements.
    _close(world, case, Outcome.COMPLETED_WITHOUT_AGREEMENT)
    assert case.stage == Stage.CLOSED


def test_closing_as_agreement_not_completed_leaves_the_terms_as_they_were(world: World) -> None:
    case = agreement_case(world)
    agreement = binding(world, case)
    _set(world, agreement.terms.get(kind=Term.Kind.APOLOGY_SPOKEN), Term.Status.COMPLETED)
    _close(world, case, Outcome.AGREEMENT_NOT_COMPLETED)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.NOT_COMPLETED
    assert agreement.ended_at is not None
    assert dict(agreement.terms.values_list("kind", "status")) == {
        Term.Kind.APOLOGY_SPOKEN: Term.Status.COMPLETED,
        Term.Kind.RESTITUTION: Term.Status.PENDING,
    }
    ended = AuditEvent.objects.get(action="agreement.ended")
    assert ended.details["new"] == Agreement.Status.NOT_COMPLETED
    assert ended.actor == world["coordinator"]


def test_agreement_not_completed_needs_the_process_to_have_started(world: World) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    with pytest.raises(Blocked):
        _close(world, case, Outcome.AGREEMENT_NOT_COMPLETED)


def test_a_withdrawal_that_ends_the_case_leaves_its_agreement_not_completed(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case)
    case_services.withdraw_participant(
        participant=parties(case, Participant.Role.RESPONSIBLE)[0],
        method="verbal",
        reason="",
        by=world["facilitator"],
        expected_version=None,
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.NOT_COMPLETED


def test_the_close_form_explains_reconvening_or_closing_when_terms_are_open(
    world: World, client_for: Any
) -> None:
    case = agreement_case(world)
    binding(world, case)
    client = client_for("coordinator")
    page = client.get(reverse("cases:action", args=[case.reference, "close"]))
    text = page.content.decode()
    assert "The case cannot close as completed with agreement yet:" in text
    assert "reconvene the parties for a new version, or close as agreement not completed" in text
    assert 'value="agreement_not_completed"' in text
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert "What blocks closing the case as completed with agreement" in case_page


def _shows_nothing_of_the_agreement(text: str) -> None:
    for secret in [
        "Pay for the bicycle",
        "Apologise in person",
        "120.00",
        "120,00",
        NOTE,
        "Restitution",
    ]:
        assert secret not in text


def test_the_referrer_and_the_api_see_agreement_reached_and_then_only_the_outcome(
    world: World, client_for: Any
) -> None:
    case = agreement_case(world)
    case_services.add_note(case=case, body=NOTE, by=world["facilitator"], expected_version=None)
    _key, secret = create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=["referrals:read"],
        expires_at=None,
        by=None,
    )
    api = Client()
    referrer = client_for("referrer")
    page = reverse("cases:referral_detail", args=[case.referral_id])
    status_url = reverse("api:referral", kwargs={"id": case.referral_id})
    headers = {"Authorization": f"Bearer {secret}"}

    agreement = binding(world, case)
    case.refresh_from_db()
    assert case.agreement_reached_on == timezone.localdate()
    shown = referrer.get(page).content.decode()
    assert "Agreement reached" in shown
    _shows_nothing_of_the_agreement(shown)
    answer = api.get(status_url, headers=headers)
    assert (answer.json()["status"], answer.json()["outcome"]) == ("agreement_reached", None)
    _shows_nothing_of_the_agreement(answer.content.decode())
    listed = referrer.get(reverse("cases:referral_list"), {"status": "agreement_reached"})
    assert case.reference in listed.content.decode() or "CR/2026/0001" in listed.content.decode()

    for term in agreement.terms.all():
        _set(world, term, Term.Status.WAIVED, reason="Forgiven by the harmed party.")
    _close(world, case)
    shown = referrer.get(page).content.decode()
    assert "Completed with agreement" in shown
    _shows_nothing_of_the_agreement(shown)
    answer = api.get(status_url, headers=headers)
    assert (answer.json()["status"], answer.json()["outcome"]) == (
        "closed",
        "completed_with_agreement",
    )
    _shows_nothing_of_the_agreement(answer.content.decode())
    assert Referral.objects.get(pk=case.referral_id).follow_outcome == "Completed with agreement"


def test_agreement_reached_is_recorded_once_with_the_day_the_last_party_agreed(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [apology(world, case)])
    services.reconvene(
        agreement=agreement,
        reason="The parties want to add a term.",
        by=world["facilitator"],
        expected_version=None,
    )
    reached = AuditEvent.objects.filter(action="case.agreement_reached", object_id=str(case.pk))
    assert reached.count() == 1
    # The new version carries the open apology over; agreeing to it again is not news.
    sign_all(world, Agreement.objects.get(case=case, number=2))
    assert reached.count() == 1


def test_a_note_on_a_closed_case_needs_a_reason_which_is_audited(world: World) -> None:
    case = _done_with_agreement(world)
    _close(world, case)
    with pytest.raises(ValidationError) as refused:
        case_services.add_note(
            case=case, body="Called to say thanks.", by=world["coordinator"], expected_version=None
        )
    assert "closed_reason" in refused.value.message_dict
    assert not case.notes.filter(kind="note").exists()
    case_services.add_note(
        case=case,
        body="Called to say thanks.",
        by=world["coordinator"],
        expected_version=None,
        closed_reason="The harmed party phoned after closure.",
    )
    event = AuditEvent.objects.get(action="case.note_added", object_type="cases.note")
    assert event.details["closed_reason"] == "The harmed party phoned after closure."


def test_the_note_form_on_a_closed_case_asks_why(world: World, client_for: Any) -> None:
    case = _done_with_agreement(world)
    _close(world, case)
    client = client_for("coordinator")
    url = reverse("cases:action", args=[case.reference, "note"])
    case.refresh_from_db()
    form = client.get(url).content.decode()
    assert "Why you are adding to a closed case" in form
    token = form.split('name="submission" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        url, {"version": case.version, "submission": token, "body": "Called to say thanks."}
    )
    assert answer.status_code == 400
    assert "This case is closed. Say why you are changing it" in answer.content.decode()
    assert not case.notes.filter(kind="note").exists()


def test_the_closing_rule_asks_the_same_few_queries_however_many_terms(
    world: World, django_assert_max_num_queries: Any
) -> None:
    case = agreement_case(world)
    binding(world, case, [apology(world, case) for _ in range(12)])
    facts = case_facts(case)
    with django_assert_max_num_queries(2):
        found = agreement_done(facts, registry.COMPLETING_WITH_AGREEMENT)
    # Twelve open apologies say so once, then the choice the coordinator has.
    assert [n.code for n in found] == ["agreement_term_open", "agreement_reconvene_or_close"]

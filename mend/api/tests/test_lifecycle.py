"""A referral sent through the API is an ordinary referral: staff see it, work it, and the
partner's status follows the case from received to closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.agreements import services as agreement_services
from mend.api.tests.conftest import Partner, referral_body
from mend.cases import services
from mend.cases.models import Case, Referral
from mend.cases.stages import Outcome, Stage
from mend.programs.models import ConsentPurpose, ProcessType
from mend.testing.agreements import binding
from mend.testing.cases import assess_all, consent_all, screen, to_stage
from mend.testing.personas import World


def status_of(partner: Partner, referral_id: int) -> dict[str, object]:
    response = partner.get(f"/api/v1/referrals/{referral_id}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def changed_since(partner: Partner, moment: datetime) -> list[int]:
    response = partner.get("/api/v1/referrals", updated_since=moment.isoformat())
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def test_an_api_referral_appears_in_the_staff_case_list(
    partner: Partner, client_for: Callable[[str], Client]
) -> None:
    created = partner.send(referral_body()).json()

    page = client_for("coordinator").get(reverse("cases:list"))

    assert page.status_code == 200
    assert created["reference"] in page.content.decode()
    detail = client_for("coordinator").get(reverse("cases:detail", args=[created["reference"]]))
    assert detail.status_code == 200
    assert "Okafor" in detail.content.decode()


def test_the_status_follows_the_case_through_its_lifecycle(world: World, partner: Partner) -> None:
    # Memberships start today, so the story is told from tomorrow on, a minute per step.
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    step = iter(range(1, 100))

    def later() -> time_machine.travel:
        return time_machine.travel(start + timedelta(minutes=next(step)), tick=False)

    with time_machine.travel(start, tick=False):
        created = partner.send(referral_body()).json()
    referral_id = created["id"]
    case = Case.objects.get(referral_id=referral_id)
    assert created["status"] == "received"

    seen: list[str] = [str(status_of(partner, referral_id)["status"])]
    moves: list[Callable[[], object]] = [
        lambda: screen(world, case),
        lambda: to_stage(world, case, Stage.CONTACT),
        lambda: _into_process(world, case),
        lambda: _agree(world, case),
        lambda: services.close_case(
            case=case,
            outcome=Outcome.COMPLETED_WITH_AGREEMENT,
            by=world["facilitator"],
            expected_version=None,
        ),
    ]
    for move in moves:
        with later():
            before = timezone.now()
            assert referral_id not in changed_since(partner, before)
        with later():
            move()
        with later():
            # The move changed the case, not the referral row: it still counts as a change.
            assert changed_since(partner, before) == [referral_id]
            seen.append(str(status_of(partner, referral_id)["status"]))

    assert seen == [
        "received",
        "screening",
        "accepted",
        "in_progress",
        "agreement_reached",
        "closed",
    ]
    final = status_of(partner, referral_id)
    assert final["outcome"] == "completed_with_agreement"
    assert final["reference"] == created["reference"]


def _agree(world: World, case: Case) -> None:
    """Every party agrees; the terms are then waived, so the case can close with agreement."""
    agreement = binding(world, case)
    for term in agreement.terms.all():
        agreement_services.set_term_status(
            term=term,
            status="waived",
            reason="Forgiven by the harmed party.",
            by=world["facilitator"],
            expected_version=None,
        )


def _into_process(world: World, case: Case) -> None:
    by = world["facilitator"]
    consent_all(world, case, ConsentPurpose.CONTACT)
    services.move_case(case=case, to=Stage.PREPARATION, by=by, expected_version=None)
    consent_all(world, case, ConsentPurpose.FACE_TO_FACE)
    assess_all(world, case)
    services.choose_process(case=case, process=ProcessType.CONFERENCE, by=by, expected_version=None)
    services.move_case(case=case, to=Stage.PROCESS, by=by, expected_version=None)


def test_a_declined_referral_reports_the_reason_code(world: World, partner: Partner) -> None:
    created = partner.send(referral_body()).json()
    case = Case.objects.get(referral_id=created["id"])
    services.move_case(
        case=case, to=Stage.SCREENING, by=world["coordinator"], expected_version=None
    )

    services.decline_referral(
        case=case,
        reason=Referral.DeclineReason.EXCLUDED_OFFENCE,
        note="Staff-only reasoning that partners never see.",
        by=world["coordinator"],
        expected_version=None,
    )

    status = status_of(partner, created["id"])
    assert status["status"] == "declined"
    assert status["outcome"] == "excluded_offence"
    assert "Staff-only" not in partner.get(f"/api/v1/referrals/{created['id']}").content.decode()

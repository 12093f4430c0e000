"""The agreement's life through its services: drafted, agreed by every party, followed up."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mend.agreements import hours, ledger, progress, services
from mend.agreements.models import Agreement, Term
from mend.cases.models import Participant
from mend.cases.services.base import Blocked
from mend.testing.agreements import (
    agreement_case,
    apology,
    binding,
    draft,
    restitution,
    service,
    sign_all,
)
from mend.testing.cases import parties
from mend.testing.personas import World

pytestmark = pytest.mark.django_db


def test_an_agreement_binds_only_once_every_party_has_agreed(world: World) -> None:
    case = agreement_case(world)
    agreement = draft(world, case)
    signers = services.signers(agreement)
    assert {p.role for p in signers} == {Participant.Role.HARMED, Participant.Role.RESPONSIBLE}
    services.record_signature(
        agreement=agreement,
        participant=signers[0],
        method="on_screen",
        signed_name="Hana0 Harmed",
        agreed_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=agreement.version,
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    agreement = sign_all(world, agreement)
    assert agreement.status == Agreement.Status.BINDING
    assert agreement.agreed_at is not None


def test_changing_a_drafts_terms_undoes_the_agreement_given_to_the_old_wording(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = draft(world, case)
    first = services.signers(agreement)[0]
    services.record_signature(
        agreement=agreement,
        participant=first,
        method="verbal",
        agreed_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    agreement.refresh_from_db()
    services.add_term(
        agreement=agreement,
        details=apology(world, case),
        by=world["facilitator"],
        expected_version=agreement.version,
    )
    assert not agreement.signatures.exists()


def test_a_form_opened_on_an_older_agreement_is_refused_and_changes_nothing(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = draft(world, case)
    opened_on = agreement.version
    services.add_term(
        agreement=agreement,
        details=apology(world, case),
        by=world["facilitator"],
        expected_version=opened_on,
    )
    with pytest.raises(services.StaleAgreement):
        services.add_term(
            agreement=agreement,
            details=apology(world, case),
            by=world["coordinator"],
            expected_version=opened_on,
        )
    assert agreement.terms.count() == 3


def test_one_current_agreement_per_responsible_party(world: World) -> None:
    case = agreement_case(world)
    draft(world, case)
    with pytest.raises(Blocked):
        draft(world, case)


def test_a_restitution_term_needs_an_amount_to_the_cent(world: World) -> None:
    case = agreement_case(world)
    for bad in ["12.345", "-5", "0", "abc", "NaN"]:
        details = replace(restitution(world, case), amount=bad)  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as error:
            draft(world, case, [details])
        assert "amount" in error.value.message_dict
    assert not Agreement.objects.filter(case=case).exists()


def test_payments_bring_the_balance_to_zero_and_then_the_term_may_complete(world: World) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [restitution(world, case, "100.00")])
    term = agreement.terms.get()
    with pytest.raises(Blocked):
        services.set_term_status(
            term=term, status="completed", by=world["facilitator"], expected_version=None
        )
    for amount in ("33.33", "33.33", "33.34"):
        ledger.record_payment(
            term=term,
            amount=amount,
            paid_on=timezone.localdate(),
            method="cash",
            by=world["facilitator"],
            expected_version=agreement.version,
        )
    assert progress.balance(term) == Decimal("0.00")
    with pytest.raises(ValidationError):
        ledger.record_payment(
            term=term,
            amount="0.01",
            paid_on=timezone.localdate(),
            method="cash",
            by=world["facilitator"],
            expected_version=None,
        )
    services.set_term_status(
        term=term, status="completed", by=world["facilitator"], expected_version=None
    )
    term.refresh_from_db()
    assert term.status == Term.Status.COMPLETED


def test_only_verified_hours_count_and_hours_past_the_agreement_are_not_counted(
    world: World,
) -> None:
    from datetime import time

    case = agreement_case(world)
    agreement = binding(world, case, [service(world, case, hours=3)])
    term = agreement.terms.get()
    today = timezone.localdate()
    first = hours.check_in(
        term=term, on=today, at=time(9), by=world["volunteer"], expected_version=None
    )
    hours.check_out(session=first, at=time(11, 30), by=world["volunteer"], expected_version=None)
    assert progress.verified_minutes(term) == 0
    assert progress.unverified_minutes(term) == 150
    hours.verify_session(
        session=first,
        via="on_behalf",
        verifier_name="Pat Placement",
        by=world["coordinator"],
        expected_version=None,
    )
    second = hours.check_in(
        term=term, on=today, at=time(13), by=world["volunteer"], expected_version=None
    )
    hours.check_out(session=second, at=time(14, 15), by=world["volunteer"], expected_version=None)
    hours.verify_session(
        session=second,
        via="on_behalf",
        verifier_name="Pat Placement",
        by=world["coordinator"],
        expected_version=None,
    )
    assert progress.verified_minutes(term) == 225
    assert progress.counted_minutes(term) == 180
    assert progress.minutes_left(term) == 0


def test_reconvening_keeps_the_old_version_and_carries_over_what_is_still_owed(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = binding(world, case, [restitution(world, case, "90.00")])
    term = agreement.terms.get()
    ledger.record_payment(
        term=term,
        amount="30.00",
        paid_on=timezone.localdate(),
        method="cash",
        by=world["facilitator"],
        expected_version=None,
    )
    new = services.reconvene(
        agreement=agreement,
        reason="Lost their job; smaller instalments.",
        by=world["facilitator"],
        expected_version=None,
    )
    agreement.refresh_from_db()
    term.refresh_from_db()
    assert agreement.status == Agreement.Status.SUPERSEDED
    assert new.number == 2 and new.previous == agreement
    assert term.status == Term.Status.RENEGOTIATED
    assert term.replaced_by is not None and term.replaced_by.amount == Decimal("60.00")
    assert parties(case, Participant.Role.RESPONSIBLE)[0].agreements.count() == 2

"""Two staff following up the same agreement at the same moment, on two real database
connections: the agreement's row lock serves them one after the other, and the second
sees what the first recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mend.agreements import ledger, progress, services
from mend.agreements.models import Agreement, Payment, Term
from mend.agreements.services import StaleAgreement
from mend.testing.agreements import agreement_case, draft, restitution
from mend.testing.personas import World, build_world
from mend.testing.races import one_after_the_other
from mend.testing.terms import followed_up


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    yield build_world()


def _pay(world: World, term: Term, persona: str, amount: str, version: int) -> Callable[[], Any]:
    return lambda: ledger.record_payment(
        term=Term.objects.get(pk=term.pk),
        amount=amount,
        paid_on=timezone.localdate(),
        method="cash",
        by=world[persona],
        expected_version=version,
    )


def _status(world: World, term: Term, status: str, version: int) -> Callable[[], Any]:
    return lambda: services.set_term_status(
        term=Term.objects.get(pk=term.pk),
        status=status,
        reason="The provider closed the course." if status == "waived" else "",
        by=world["coordinator"],
        expected_version=version,
    )


def _version(agreement: Agreement) -> int:
    return Agreement.objects.get(pk=agreement.pk).version


def test_two_payments_at_once_are_both_recorded_and_the_balance_is_right(world: World) -> None:
    f = followed_up(world)
    version = _version(f.agreement)

    first, second = one_after_the_other(
        _pay(world, f.restitution, "coordinator", "30.00", version),
        _pay(world, f.restitution, "facilitator", "45.50", version),
    )

    assert isinstance(first, Payment) and isinstance(second, Payment)
    term = Term.objects.get(pk=f.restitution.pk)
    assert sorted(term.payments.values_list("amount", flat=True)) == [
        Decimal("30.00"),
        Decimal("45.50"),
    ]
    assert progress.balance(term) == Decimal("44.50")


def test_two_payments_that_together_exceed_the_balance_leave_one_refused_as_overpayment(
    world: World,
) -> None:
    f = followed_up(world)
    version = _version(f.agreement)

    first, second = one_after_the_other(
        _pay(world, f.restitution, "coordinator", "80.00", version),
        _pay(world, f.restitution, "facilitator", "80.00", version),
    )

    assert isinstance(first, Payment)
    assert isinstance(second, ValidationError)
    assert "40.00 USD is still owed" in " ".join(second.message_dict["amount"])
    term = Term.objects.get(pk=f.restitution.pk)
    assert term.payments.count() == 1
    assert progress.balance(term) == Decimal("40.00")


def test_two_status_changes_from_the_same_version_save_the_first_and_refuse_the_second(
    world: World,
) -> None:
    f = followed_up(world)
    version = _version(f.agreement)

    first, second = one_after_the_other(
        _status(world, f.program, "in_progress", version),
        _status(world, f.program, "waived", version),
    )

    assert isinstance(first, Term)
    assert isinstance(second, StaleAgreement)
    assert second.messages == [
        "Someone changed this agreement since you opened the form.",
        "Nothing was saved. Reload the page to see the agreement as it is now.",
    ]
    assert Term.objects.get(pk=f.program.pk).status == Term.Status.IN_PROGRESS


def test_a_payment_from_a_form_opened_before_a_status_change_is_refused(world: World) -> None:
    f = followed_up(world)
    version = _version(f.agreement)

    changed, paid = one_after_the_other(
        _status(world, f.program, "in_progress", version),
        _pay(world, f.restitution, "facilitator", "10.00", version),
    )

    assert isinstance(changed, Term)
    assert isinstance(paid, StaleAgreement)
    assert not Payment.objects.filter(term=f.restitution).exists()


def test_two_changes_to_a_drafts_term_from_the_same_version_keep_the_first(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = draft(world, case)
    term = agreement.terms.get(kind=Term.Kind.RESTITUTION)
    version = _version(agreement)

    def change(amount: str) -> Callable[[], Any]:
        return lambda: services.change_term(
            term=Term.objects.get(pk=term.pk),
            details=replace(restitution(world, case), amount=Decimal(amount)),
            by=world["facilitator"],
            expected_version=version,
        )

    first, second = one_after_the_other(change("150.00"), change("90.00"))

    assert isinstance(first, Term)
    assert isinstance(second, StaleAgreement)
    assert Term.objects.get(pk=term.pk).amount == Decimal("150.00")

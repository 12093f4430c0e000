"""The program's own fees: one ledger per participant, never below zero, corrected only by
an exact reversal, and never mixed with the restitution owed to the people harmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.agreements import fees, ledger, progress, settings_services
from mend.agreements.models import FeeEntry
from mend.cases.models import Case, Participant
from mend.cases.services.base import Blocked
from mend.core.audit_sentences import describe
from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.testing.agreements import agreement_case, binding, restitution
from mend.testing.cases import parties
from mend.testing.personas import World

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]
YESTERDAY = timezone.localdate() - timedelta(days=1)


def _charging(world: World, fee: str = "50.00") -> None:
    settings_services.update_agreement_settings(
        program=world.program,
        by=world["program_admin"],
        expected_version=None,
        currency="usd",
        charges_fees=True,
        standard_fee=fee,
        reminder_days=7,
        kinds_shared_with_referrer=["restitution"],
    )


def _record(world: World, case: Case, kind: str, amount: str | None, note: str = "") -> FeeEntry:
    return fees.record_fee(
        case=case,
        participant=parties(case, Participant.Role.RESPONSIBLE)[0],
        details=fees.Details(kind=kind, amount=amount, on=YESTERDAY, note=note),
        by=world["coordinator"],
        expected_version=None,
    )


def _owed(case: Case) -> Decimal:
    return fees.balance(case, parties(case, Participant.Role.RESPONSIBLE)[0])


def test_the_balance_is_charges_less_payments_and_waivers(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    _record(world, case, "charge", "80.00", note="Band B")
    _record(world, case, "payment", "30.00")
    _record(world, case, "waiver", "20.00", note="Hardship")
    _record(world, case, "plan", None, note="10.00 a month from January")
    assert _owed(case) == Decimal("30.00")
    amounts = list(FeeEntry.objects.order_by("pk").values_list("kind", "amount"))
    assert amounts == [
        ("charge", Decimal("80.00")),
        ("payment", Decimal("-30.00")),
        ("waiver", Decimal("-20.00")),
        ("plan", Decimal("0.00")),
    ]
    assert "recorded a program fee" in str(describe(AuditEvent.objects.get(action="fee.charged")))


def test_a_payment_or_a_waiver_above_the_balance_is_refused_and_nothing_changes(
    world: World,
) -> None:
    _charging(world)
    case = agreement_case(world)
    _record(world, case, "charge", "40.00")
    with pytest.raises(ValidationError) as refused:
        _record(world, case, "payment", "40.01")
    assert "40.00 USD is owed" in refused.value.message_dict["amount"][0]
    with pytest.raises(ValidationError):
        _record(world, case, "waiver", "41.00", note="Too much")
    assert _owed(case) == Decimal("40.00")
    assert FeeEntry.objects.count() == 1


def test_a_waiver_needs_a_reason_and_a_plan_a_note(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    _record(world, case, "charge", "40.00")
    with pytest.raises(ValidationError) as waiver:
        _record(world, case, "waiver", "10.00")
    assert "note" in waiver.value.message_dict
    with pytest.raises(ValidationError) as plan:
        _record(world, case, "plan", None)
    assert "note" in plan.value.message_dict


def test_a_correction_reverses_exactly_one_entry_once(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    _record(world, case, "charge", "60.00")
    payment = _record(world, case, "payment", "25.00")
    correction = fees.correct_fee(
        entry=payment, reason="Typed twice.", by=world["coordinator"], expected_version=None
    )
    assert correction.amount == Decimal("25.00") and correction.reverses == payment
    assert _owed(case) == Decimal("60.00")
    with pytest.raises(Blocked):
        fees.correct_fee(
            entry=payment, reason="Again.", by=world["coordinator"], expected_version=None
        )
    with pytest.raises(Blocked):
        fees.correct_fee(
            entry=correction, reason="Undo.", by=world["coordinator"], expected_version=None
        )


def test_a_charge_cannot_be_taken_back_while_payments_against_it_stand(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    charge = _record(world, case, "charge", "60.00")
    _record(world, case, "payment", "60.00")
    with pytest.raises(Blocked):
        fees.correct_fee(
            entry=charge, reason="Wrong.", by=world["coordinator"], expected_version=None
        )
    assert _owed(case) == Decimal("0.00")


def test_a_form_opened_before_another_entry_is_refused(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    _record(world, case, "charge", "60.00")
    with pytest.raises(ValidationError) as stale:
        fees.record_fee(
            case=case,
            participant=parties(case, Participant.Role.RESPONSIBLE)[0],
            details=fees.Details(kind="payment", amount="5.00", on=YESTERDAY),
            by=world["coordinator"],
            expected_version=0,
        )
    assert stale.value.code == fees.STALE


def test_fees_are_refused_where_the_program_charges_none(world: World) -> None:
    case = agreement_case(world)
    with pytest.raises(Blocked):
        _record(world, case, "charge", "10.00")


def test_a_harmed_party_is_never_charged_a_fee(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    with pytest.raises(ValidationError) as refused:
        fees.record_fee(
            case=case,
            participant=parties(case, Participant.Role.HARMED)[0],
            details=fees.Details(kind="charge", amount="10.00", on=YESTERDAY),
            by=world["coordinator"],
            expected_version=None,
        )
    assert "participant" in refused.value.message_dict


def test_fees_never_count_as_restitution_and_restitution_never_as_fees(world: World) -> None:
    _charging(world)
    case = agreement_case(world)
    agreement = binding(world, case, [restitution(world, case, amount="100.00")])
    term = agreement.terms.get()
    _record(world, case, "charge", "50.00")
    _record(world, case, "payment", "50.00")
    assert progress.paid(term) == Decimal("0.00")
    assert progress.balance(term) == Decimal("100.00")
    ledger.record_payment(
        term=term,
        amount="30.00",
        paid_on=YESTERDAY,
        method="cash",
        by=world["coordinator"],
        expected_version=None,
    )
    assert _owed(case) == Decimal("0.00")
    assert progress.balance(term) == Decimal("70.00")
    assert sum(FeeEntry.objects.values_list("amount", flat=True)) == Decimal("0.00")


def test_the_fees_page_records_a_charge_and_refuses_an_overpayment_with_a_field_message(
    world: World, client_for: Clients
) -> None:
    _charging(world)
    case = agreement_case(world)
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    client = client_for("coordinator")
    url = reverse("agreements:fees", args=[case.reference])
    form = {
        "which": "entry",
        "participant": responsible.pk,
        "on": YESTERDAY.isoformat(),
        "note": "Band A",
        "submission": new_token(),
    }
    response = client.post(url, {**form, "kind": "charge", "amount": "50.00", "version": 0})
    assert response.status_code == 302
    response = client.post(
        url, {**form, "kind": "payment", "amount": "75.00", "version": 1, "submission": new_token()}
    )
    assert response.status_code == 400
    assert "50.00 USD is owed" in response.content.decode()
    assert _owed(case) == Decimal("50.00")
    entry = FeeEntry.objects.get()
    response = client.post(
        url,
        {
            "which": "correction",
            "correct-entry": entry.pk,
            "correct-reason": "Wrong band.",
            "correct-version": 1,
            "correct-submission": new_token(),
        },
    )
    assert response.status_code == 302
    assert _owed(case) == Decimal("0.00")


def test_the_case_page_shows_fees_only_where_the_program_charges_them(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world)
    client = client_for("coordinator")
    assert 'id="fees-heading"' not in client.get(case.get_absolute_url()).content.decode()
    _charging(world)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="fees-heading"' in page
    assert "owes 0.00 USD" in page


def test_a_facilitator_reads_the_fees_but_may_not_record_them(
    world: World, client_for: Clients
) -> None:
    _charging(world)
    case = agreement_case(world)
    url = reverse("agreements:fees", args=[case.reference])
    assert client_for("facilitator").get(url).status_code == 200
    response = client_for("facilitator").post(url, {"which": "entry"})
    assert response.status_code == 403


def test_the_settings_are_checked_and_saved_by_the_program_administrator(
    world: World, client_for: Clients
) -> None:
    client = client_for("program_admin")
    url = reverse("agreements:agreement_settings")
    bad = client.post(
        url,
        {
            "currency": "US",
            "charges_fees": "on",
            "reminder_days": 7,
            "version": 1,
            "submission": new_token(),
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "three-letter currency code" in body and "Give the standard fee" in body
    good = client.post(
        url,
        {
            "currency": "eur",
            "charges_fees": "on",
            "standard_fee": "25.00",
            "reminder_days": 5,
            "kinds_shared_with_referrer": ["restitution", "community_service"],
            "version": 1,
            "submission": new_token(),
        },
    )
    assert good.status_code == 302
    setting = fees.settings_of(world.program.pk)
    assert (setting.currency, setting.standard_fee, setting.reminder_days) == (
        "EUR",
        Decimal("25.00"),
        5,
    )
    assert setting.kinds_shared_with_referrer == ["restitution", "community_service"]
    assert client_for("coordinator").get(url).status_code == 403

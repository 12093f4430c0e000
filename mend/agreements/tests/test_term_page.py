"""A term's page and its forms: what was agreed, the money and the hours, and the refusals
that keep the ledger and the hours true."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mend.agreements import hours, ledger, progress, services
from mend.agreements.models import Payment, ServiceSession, Term
from mend.cases.models import Case
from mend.cases.stages import Outcome, Stage
from mend.testing.personas import World
from mend.testing.terms import FollowedUp, followed_up

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def _form(client: Client, url: str, prefix: str, **fields: Any) -> dict[str, Any]:
    """The form's own hidden fields as the page gave them, and the fields filled in."""
    page = client.get(url).content.decode()
    data = {}
    for hidden in ("version", "submission"):
        marker = f'name="{prefix}-{hidden}" value="'
        start = page.index(marker) + len(marker)
        data[f"{prefix}-{hidden}"] = page[start : page.index('"', start)]
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def _pay(world: World, f: FollowedUp, amount: str, **extra: Any) -> Payment:
    return ledger.record_payment(
        term=f.restitution,
        amount=amount,
        paid_on=timezone.localdate(),
        method="cash",
        by=world["coordinator"],
        expected_version=None,
        **extra,
    )


def _session(world: World, term: Term, start: int, end: int, verify: bool = True) -> Any:
    session = hours.check_in(
        term=term,
        on=timezone.localdate(),
        at=time(start),
        by=world["volunteer"],
        expected_version=None,
    )
    session = hours.check_out(
        session=session, at=time(end), by=world["volunteer"], expected_version=None
    )
    if verify:
        hours.verify_session(
            session=session,
            via="placement",
            verifier_name="Pat Placement",
            by=None,
            expected_version=None,
        )
    return session


def test_a_payment_recorded_on_the_page_is_in_the_ledger_and_lowers_the_balance(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("facilitator")
    url = f.url(f.restitution)
    data = _form(
        client,
        url,
        "payment",
        amount="40.50",
        paid_on=timezone.localdate(),
        method="cash",
        receipt="R-1",
    )
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 302
    assert progress.balance(f.restitution) == Decimal("79.50")
    page = client.get(url).content.decode()
    assert "79.50 USD" in page and "R-1" in page and "Facilitator" in page


def test_money_is_written_the_way_the_readers_language_writes_it(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world, amount="1234.50")
    client = client_for("coordinator")
    client.post("/account/language/", {"language": "es"})
    page = client.get(f.url(f.restitution)).content.decode()
    # Spanish groups thousands with a (non-breaking) space and writes a decimal comma.
    assert "1\xa0234,50 USD" in page


def test_a_payment_written_with_a_spanish_decimal_comma_is_read_as_such(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    client.post("/account/language/", {"language": "es"})
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="25,50",
        paid_on=timezone.localdate(),
        method="cash",
    )
    assert client.post(f.url(f.restitution, "payment"), data).status_code == 302
    assert progress.paid(f.restitution) == Decimal("25.50")


def test_a_payment_above_the_balance_is_refused_unless_recorded_as_an_overpayment(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="150.00",
        paid_on=timezone.localdate(),
        method="cash",
    )
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "record it as an overpayment" in body and "There is a problem" in body
    assert not f.restitution.payments.exists()
    data["payment-overpayment"] = "on"
    assert client.post(f.url(f.restitution, "payment"), data).status_code == 302
    assert progress.balance(f.restitution) == Decimal("-30.00")
    assert "30.00 USD overpaid" in client.get(f.url(f.restitution)).content.decode()


def test_bad_input_is_shown_by_field_with_a_summary_and_saves_nothing(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(client, f.url(f.restitution), "payment", amount="12.345", paid_on="", method="")
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_payment-amount"' in body and 'href="#id_payment-paid_on"' in body
    assert "Enter an amount to the cent" in body
    assert not f.restitution.payments.exists()


def test_a_form_opened_before_the_agreement_changed_is_refused_with_409_and_saves_nothing(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="10.00",
        paid_on=timezone.localdate(),
        method="cash",
    )
    f.agreement.refresh_from_db()
    services.set_term_status(
        term=f.program,
        status="in_progress",
        by=world["facilitator"],
        expected_version=f.agreement.version,
    )
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 409
    assert "Someone changed this agreement since you opened the form." in response.content.decode()
    assert not f.restitution.payments.exists()


def test_the_same_form_sent_twice_records_one_payment(world: World, client_for: Clients) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="10.00",
        paid_on=timezone.localdate(),
        method="cash",
    )
    for _ in range(2):
        assert client.post(f.url(f.restitution, "payment"), data).status_code == 302
    assert f.restitution.payments.count() == 1


def test_a_restitution_term_cannot_be_marked_completed_with_a_balance_left(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    _pay(world, f, "100.00")
    client = client_for("coordinator")
    data = _form(client, f.url(f.restitution), "status", status="completed")
    response = client.post(f.url(f.restitution, "status"), data)
    assert response.status_code == 409
    assert "20.00 USD is still to be paid." in response.content.decode()
    f.restitution.refresh_from_db()
    assert f.restitution.status == Term.Status.IN_PROGRESS
    _pay(world, f, "20.00")
    data = _form(client, f.url(f.restitution), "status", status="completed")
    assert client.post(f.url(f.restitution, "status"), data).status_code == 302
    f.restitution.refresh_from_db()
    assert f.restitution.status == Term.Status.COMPLETED


def test_waiving_a_term_needs_a_reason(world: World, client_for: Clients) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(client, f.url(f.program), "status", status="waived")
    response = client.post(f.url(f.program, "status"), data)
    assert response.status_code == 400
    assert "Say why." in response.content.decode()
    data["status-reason"] = "The course closed."
    assert client.post(f.url(f.program, "status"), data).status_code == 302
    f.program.refresh_from_db()
    assert (f.program.status, f.program.status_reason) == ("waived", "The course closed.")
    assert "The course closed." in client.get(f.url(f.program)).content.decode()


def test_a_correction_reverses_its_payment_and_leaves_it_as_it_was(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    payment = _pay(world, f, "40.00")
    client = client_for("coordinator")
    data = _form(
        client,
        f.url(f.restitution),
        "correct",
        payment=payment.pk,
        reason="Typed into the wrong case.",
    )
    assert client.post(f.url(f.restitution, "correct"), data).status_code == 302
    payment.refresh_from_db()
    assert payment.amount == Decimal("40.00")
    correction = Payment.objects.get(reverses=payment)
    assert correction.amount == Decimal("-40.00")
    assert progress.balance(f.restitution) == Decimal("120.00")
    page = client.get(f.url(f.restitution)).content.decode()
    assert "Correction reversing the payment of" in page and "-40.00 USD" in page
    # Once corrected, there is nothing left to correct.
    assert 'id="form-correct"' not in page


def test_renegotiating_makes_a_new_term_and_the_two_link_to_each_other(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("facilitator")
    data = _form(
        client,
        f.url(f.restitution),
        "renegotiate",
        description="Pay 80 instead.",
        amount="80.00",
        due_on="",
        reason="Lost their job.",
    )
    assert client.post(f.url(f.restitution, "renegotiate"), data).status_code == 302
    f.restitution.refresh_from_db()
    new = f.restitution.replaced_by
    assert new is not None and new.amount == Decimal("80.00")
    assert f.restitution.status == Term.Status.RENEGOTIATED
    old_page = client.get(f.url(f.restitution)).content.decode()
    assert f'href="{f.url(new)}"' in old_page and 'id="form-payment"' not in old_page
    assert f'href="{f.url(f.restitution)}"' in client.get(f.url(new)).content.decode()


def test_the_provider_confirms_a_program_on_the_page(world: World, client_for: Clients) -> None:
    f = followed_up(world)
    client = client_for("facilitator")
    data = _form(
        client,
        f.url(f.program),
        "confirm",
        confirmed_by="Dr Lee",
        confirmed_on=timezone.localdate(),
    )
    assert client.post(f.url(f.program, "confirm"), data).status_code == 302
    assert "Dr Lee" in client.get(f.url(f.program)).content.decode()
    assert progress.what_completion_needs(Term.objects.get(pk=f.program.pk)) == []


def test_the_volunteer_monitoring_service_checks_in_and_out_but_records_no_payment(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("volunteer")
    data = _form(client, f.url(f.service), "check_in", on=timezone.localdate(), at="09:00")
    assert client.post(f.url(f.service, "check_in"), data).status_code == 302
    data = _form(client, f.url(f.service), "check_out", at="12:30")
    assert client.post(f.url(f.service, "check_out"), data).status_code == 302
    session = ServiceSession.objects.get(term=f.service)
    assert session.minutes == 210 and session.verified_at is None
    page = client.get(f.url(f.restitution)).content.decode()
    assert 'id="form-payment"' not in page
    assert client.post(f.url(f.restitution, "payment"), {}).status_code == 403


def test_a_check_out_before_the_check_in_is_a_field_error(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("coordinator")
    data = _form(client, f.url(f.service), "check_in", on=timezone.localdate(), at="09:00")
    client.post(f.url(f.service, "check_in"), data)
    data = _form(client, f.url(f.service), "check_out", at="08:00")
    response = client.post(f.url(f.service, "check_out"), data)
    assert response.status_code == 400
    assert 'href="#id_check_out-at"' in response.content.decode()


def test_only_coordinators_verify_hours_on_the_placements_behalf_naming_who_confirmed(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    session = _session(world, f.service, 9, 12, verify=False)
    assert client_for("facilitator").post(f.url(f.service, "verify"), {}).status_code == 403
    client = client_for("coordinator")
    data = _form(client, f.url(f.service), "verify", session=session.pk, verifier_name="")
    assert client.post(f.url(f.service, "verify"), data).status_code == 400
    data["verify-verifier_name"] = "Pat Placement"
    assert client.post(f.url(f.service, "verify"), data).status_code == 302
    session.refresh_from_db()
    assert session.verified_via == "on_behalf" and session.verified_by == world["coordinator"]
    page = client.get(f.url(f.service)).content.decode()
    assert "on the placement&#x27;s behalf, confirmed by Pat Placement" in page


def test_a_warning_is_recorded_with_its_severity_category_and_what_happened(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world)
    client = client_for("facilitator")
    data = _form(
        client,
        f.url(f.service),
        "incident",
        severity="warning",
        category="late",
        on=timezone.localdate(),
        text="Came an hour late.",
    )
    assert client.post(f.url(f.service, "incident"), data).status_code == 302
    assert "Came an hour late." in client.get(f.url(f.service)).content.decode()


def test_hours_count_only_once_verified_and_never_beyond_the_agreement(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world, hours=5)
    _session(world, f.service, 9, 12)
    _session(world, f.service, 13, 16)
    _session(world, f.service, 17, 18, verify=False)
    term = Term.objects.get(pk=f.service.pk)
    verified = sum(
        s.minutes for s in ServiceSession.objects.filter(term=term, verified_at__isnull=False)
    )
    assert progress.verified_minutes(term) == verified == 360
    assert progress.counted_minutes(term) == 300
    assert progress.unverified_minutes(term) == 60
    assert progress.minutes_left(term) == 0
    page = client_for("coordinator").get(f.url(f.service)).content.decode()
    assert 'id="term-counted">5 h<' in page
    assert 'id="term-beyond">1 h<' in page
    assert 'id="term-unverified">1 h<' in page
    assert "Beyond the agreement (not counted)" in page


def test_an_unverified_session_never_counts_towards_completion(world: World) -> None:
    f = followed_up(world, hours=3)
    _session(world, f.service, 9, 12, verify=False)
    term = Term.objects.get(pk=f.service.pk)
    assert progress.counted_minutes(term) == 0
    assert progress.what_completion_needs(term) == [
        "3 h of service still to be verified by the placement."
    ]


def test_instalments_are_met_by_the_running_total_of_payments(
    world: World, client_for: Clients
) -> None:
    from mend.agreements.models import Instalment
    from mend.agreements.term_follow_up import schedule

    f = followed_up(world)
    today = timezone.localdate()
    for days, amount in ((-30, "40.00"), (-1, "40.00"), (30, "40.00")):
        Instalment.objects.create(
            term=f.restitution, due_on=today + timedelta(days=days), amount=Decimal(amount)
        )
    _pay(world, f, "30.00")
    _pay(world, f, "20.00")
    term = Term.objects.prefetch_related("instalments", "payments").get(pk=f.restitution.pk)
    assert [row.state for row in schedule(term, today)] == ["paid", "overdue", "due"]
    page = client_for("coordinator").get(f.url(f.restitution)).content.decode()
    assert "Overdue" in page


def test_a_closed_case_is_changed_only_with_a_reason(world: World, client_for: Clients) -> None:
    f = followed_up(world)
    # Closed here directly: closing is the closure helper's; only its effect is tried.
    Case.objects.filter(pk=f.case.pk).update(
        stage=Stage.CLOSED, outcome=Outcome.COMPLETED_WITH_AGREEMENT
    )
    client = client_for("coordinator")
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="10.00",
        paid_on=timezone.localdate(),
        method="cash",
    )
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 400
    assert "Why are you changing a closed case?" in response.content.decode()
    assert not f.restitution.payments.exists()
    data["payment-closed_reason"] = "The payment arrived after closing."
    assert client.post(f.url(f.restitution, "payment"), data).status_code == 302
    assert f.restitution.payments.count() == 1


def test_another_agreements_term_is_not_found(world: World, client_for: Clients) -> None:
    f = followed_up(world)
    url = f.url(f.restitution).replace(
        f"/agreements/{f.agreement.pk}/", f"/agreements/{f.agreement.pk + 1}/"
    )
    assert client_for("coordinator").get(url).status_code == 404


def test_the_page_costs_the_same_queries_with_one_entry_or_twenty(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    f = followed_up(world, amount="5000.00", hours=100)
    client = client_for("coordinator")
    _pay(world, f, "1.00")
    _session(world, f.service, 9, 10)
    with django_assert_max_num_queries(80) as one:
        client.get(f.url(f.restitution))
        client.get(f.url(f.service))
    for start in range(19):
        payment = _pay(world, f, "2.00")
        if start % 3 == 0:
            ledger.correct_payment(
                payment=payment, reason="Twice.", by=world["coordinator"], expected_version=None
            )
        _session(world, f.service, 1 + start % 20, 2 + start % 20, verify=start % 2 == 0)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(f.url(f.restitution))
        client.get(f.url(f.service))


def test_a_refusal_names_the_amount_the_way_the_readers_language_writes_it(
    world: World, client_for: Clients
) -> None:
    f = followed_up(world, amount="1500.00")
    _pay(world, f, "300.00")
    client = client_for("coordinator")
    client.post("/account/language/", {"language": "es"})
    data = _form(
        client,
        f.url(f.restitution),
        "payment",
        amount="2000",
        paid_on=timezone.localdate(),
        method="cash",
    )
    response = client.post(f.url(f.restitution, "payment"), data)
    assert response.status_code == 400
    assert "Todavía se deben 1\xa0200,00 USD" in response.content.decode()

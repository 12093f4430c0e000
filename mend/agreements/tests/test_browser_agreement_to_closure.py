"""An agreement's whole life in a real browser, by clicks and typing alone: drafted from
the conference record, terms added, agreed by every party, each party's copy handed out,
every term carried out and the case closed as completed with agreement.

What comes before the agreement (the case, the held meeting, its conference record, the
placement) is made through the services."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from pypdf import PdfReader

from mend.agreements import services
from mend.agreements.models import Agreement, Payment, ServiceSession, Term
from mend.cases.models import Participant
from mend.cases.tests.test_browser_case_flow import do_action, expect_done, sign_in, sign_out
from mend.processes import record_services
from mend.processes.models import Meeting
from mend.processes.record_services import ConferenceDetails
from mend.testing.agreements import agreement_case, placement
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, parties
from mend.testing.personas import World

pytestmark = pytest.mark.browser

FENCE = "Repair the fence."
SORRY = "Say sorry in person."
PAINT = "Pay for the paint."
SERVICE = "Help at the food bank."


def _click(page: Any, label: str) -> None:
    """USWDS draws radios and checkboxes on their labels: a person clicks the label."""
    page.locator("main form label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()


def _text(path: str) -> str:
    """A PDF's words on one line each way, so a term broken over two lines still reads."""
    reader = PdfReader(BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _send(page: Any, name: str, button: str, fill: dict[str, str] | None = None) -> Any:
    """Fill and send one of the term page's follow-up forms (each in its own section)."""
    section = page.locator(f"#form-{name}")
    for label, value in (fill or {}).items():
        section.get_by_label(label, exact=True).fill(value)
    section.get_by_role("button", name=button).click()
    return section


def test_an_agreement_goes_from_the_conference_record_to_a_case_closed_with_every_term_kept(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    today = timezone.localdate()
    case = agreement_case(world)
    meeting = case.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
    record_services.record_conference(
        case=case,
        meeting=meeting,
        details=ConferenceDetails(obligations=f"{FENCE}\n{SORRY}"),
        by=world["facilitator"],
        expected_version=None,
    )
    food_bank = placement(world)
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    harmed = parties(case, Participant.Role.HARMED)[0]

    # 1. The facilitator drafts the agreement, keeping the terms the conference suggested.
    sign_in(page, base, "facilitator")
    page.goto(base + case.get_absolute_url())
    page.locator("#agreements").get_by_role("link", name="Draft an agreement").click()
    expect(page.get_by_label("What was agreed in term 1")).to_have_value(FENCE)
    expect(page.get_by_label("What was agreed in term 2")).to_have_value(SORRY)
    _click(page, str(responsible.person))
    page.get_by_role("button", name="Draft the agreement").click()
    terms = page.locator("#agreement-terms")
    expect(terms).to_contain_text(FENCE)
    expect(terms).to_contain_text(SORRY)
    agreement_url = page.url

    # 2. A restitution term and a community service term at the placement.
    page.get_by_role("link", name="Add a term").click()
    page.get_by_label("Kind of term").select_option("restitution")
    page.get_by_label("What was agreed").fill(PAINT)
    page.get_by_label("Amount").fill("50.00")
    page.get_by_label("Whom it serves").select_option(label=str(harmed.person))
    page.get_by_role("button", name="Save").click()
    expect(terms).to_contain_text("50.00 USD")
    page.get_by_role("link", name="Add a term").click()
    page.get_by_label("Kind of term").select_option("community_service")
    page.get_by_label("What was agreed").fill(SERVICE)
    page.get_by_label("Hours of service").fill("2")
    page.get_by_label("Placement").select_option(label=str(food_bank))
    page.get_by_role("button", name="Save").click()
    expect(terms).to_contain_text("2 hours")
    expect(terms).to_contain_text(str(food_bank))

    # 3. Every party agrees: the responsible party on screen, the others verbally.
    agreement = Agreement.objects.get(case=case, responsible=responsible)
    signers = services.signers(agreement)
    assert len(signers) >= 2
    for number, person in enumerate(signers):
        page.get_by_role("link", name="Record a party's agreement").click()
        _click(page, f"{person.person} ({person.get_role_display()})")
        if number == 0:
            _click(page, "Signed on screen")
            page.get_by_label("Their name, typed by them").fill(str(person.person))
        else:
            _click(page, "Agreed verbally, witnessed by the facilitator")
        page.get_by_role("button", name="Record their agreement").click()
        expect(page.get_by_role("status")).to_contain_text("Their agreement is recorded.")
    expect(page.locator("#agreement-status")).to_have_text("Agreed by every party")

    # 4. Each party's copy names every term; the responsible party's has no one's contacts.
    copies = page.locator(f"#agreement-{agreement.pk}-copies").get_by_role("link")
    expect(copies).to_have_count(len(signers))
    for person in signers:
        with page.expect_download() as download:
            copies.filter(has_text=str(person.person)).click()
        text = _text(download.value.path())
        for words in (FENCE, SORRY, PAINT, SERVICE):
            assert words in text, f"{words!r} is missing from {person.person}'s copy"
        if person == responsible:
            for secret in (CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS):
                assert secret not in text

    # 5. Two payments pay the restitution in full.
    page.goto(agreement_url)
    terms.get_by_role("link", name="Restitution").click()
    for amount in ("20.00", "30.00"):
        section = page.locator("#form-payment")
        section.get_by_label("Amount", exact=True).fill(amount)
        section.get_by_label("Paid on").fill(today.isoformat())
        section.get_by_label("How it was paid").select_option(label="Cash")
        section.get_by_role("button", name="Record the payment").click()
        expect(page.get_by_role("status")).to_contain_text("The payment is recorded.")
    expect(page.locator("#term-paid")).to_contain_text("50.00")
    expect(page.locator("#term-balance")).to_contain_text("0.00")

    # Two hours served, an hour each on two days.
    page.goto(agreement_url)
    terms.get_by_role("link", name="Community service").click()
    service_url = page.url
    for day in (today - timedelta(days=1), today):
        _send(
            page,
            "check_in",
            "Record the check-in",
            {"Date": day.isoformat(), "Checked in at": "09:00"},
        )
        expect(page.get_by_role("status")).to_contain_text("The check-in is recorded.")
        _send(page, "check_out", "Record the check-out", {"Checked out at": "10:00"})
        expect(page.get_by_role("status")).to_contain_text("The check-out is recorded.")
    expect(page.locator("#term-unverified")).to_have_text("2 h")
    sign_out(page)

    # The coordinator verifies each session on the placement's behalf...
    sign_in(page, base, "coordinator")
    page.goto(service_url)
    for _ in range(2):
        section = page.locator("#form-verify")
        section.get_by_label("Session").select_option(index=1)
        section.get_by_label("Who at the placement confirmed the hours?").fill("Pat Placement")
        section.get_by_role("button", name="Verify the hours").click()
        expect(page.get_by_role("status")).to_contain_text(
            "The hours are verified on the placement's behalf."
        )
    expect(page.locator("#term-counted")).to_have_text("2 h")
    expect(page.locator("#term-left")).to_have_text("0 h")

    # ...and marks every term completed.
    for kind in ("Restitution", "Community service", FENCE, SORRY):
        page.goto(agreement_url)
        row = terms.get_by_role("row").filter(has_text=kind)
        row.get_by_role("link").first.click()
        section = page.locator("#form-status")
        section.locator("label").filter(has_text=re.compile("^Completed$")).click()
        section.get_by_role("button", name="Save the status").click()
        expect(page.get_by_role("status")).to_contain_text("The term's status is saved.")
        expect(page.locator("#term-status")).to_have_text("Completed")

    # 6. The case closes as completed with agreement.
    page.goto(base + case.get_absolute_url())
    do_action(page, "Close the case", check={"How the case ended": "Completed with agreement"})
    expect_done(page, "The case is closed.")
    expect(page.locator("#case-stage")).to_have_text("Closed")
    expect(page.locator("#case-outcome")).to_contain_text("Completed with agreement")

    paid = Payment.objects.filter(term__agreement=agreement).aggregate(total=Sum("amount"))
    assert paid["total"] == Decimal("50.00")
    sessions = ServiceSession.objects.filter(term__agreement=agreement, verified_at__isnull=False)
    assert sum(s.minutes or 0 for s in sessions) == 120
    assert set(agreement.terms.values_list("status", flat=True)) == {Term.Status.COMPLETED}

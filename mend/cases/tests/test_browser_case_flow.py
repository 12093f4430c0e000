"""A case from referral to withdrawal in a real browser, by clicks and typing alone.

Only the people (the `world`) are made in Python; every step of the case is done through
the pages, finding fields by their visible labels. Each refusal on the way must be
explained on the page in the same sentences the rules use.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.text import slugify

from mend.cases.models import Case
from mend.cases.stages import Stage
from mend.testing.browser import screenshot
from mend.testing.cases import submit
from mend.testing.personas import PASSWORD, World

pytestmark = pytest.mark.browser


HARMED_PHONE = "0117 496 0731"
HARMED_ADDRESS = "14 Quiet Close, Riverside RV2 9ZZ"
HARMED = "Hana Harmed"
RESPONSIBLE = "Rory Responsible"


def shot(page: Any, name: str) -> None:
    screenshot(page, f"case-flow-{name}")


def es(msgid: str) -> str:
    """The Spanish for an English msgid (the msgid itself until it is translated)."""
    with translation.override("es"):
        return translation.gettext(msgid)


def sign_in(page: Any, base_url: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("button.mend-sign-out")).to_be_visible()


def sign_out(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/$"))


def open_action(page: Any, label: str) -> None:
    """Click an action on the case page and wait for its form."""
    from playwright.sync_api import expect

    page.locator("section.mend-actions").get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def do_action(
    page: Any,
    label: str,
    fill: dict[str, str] | None = None,
    select: dict[str, str] | None = None,
    check: dict[str, str] | None = None,
) -> None:
    """Open an action, fill text fields, pick options and radios, and submit.

    `fill` and `select` map a field's label to a value or an option's label; `check` maps
    a radio group's legend to the label of the radio to choose.
    """
    from playwright.sync_api import expect

    open_action(page, label)
    form = page.locator("main form")
    for field, option in (select or {}).items():
        form.get_by_label(field).select_option(label=option)
    for legend, choice in (check or {}).items():
        # USWDS moves the real radio off-screen and draws it on its label, so a person
        # (and this test) clicks the label; the radio found by that label must then be on.
        group = form.get_by_role("group", name=legend)
        group.locator("label").filter(has_text=re.compile(f"^{re.escape(choice)}$")).click()
        expect(group.get_by_label(choice, exact=True)).to_be_checked()
    for field, value in (fill or {}).items():
        form.get_by_label(field).fill(value)
    shot(page, f"form-{slugify(label)}")
    form.get_by_role("button", name=label, exact=True).click()


def expect_done(page: Any, message: str) -> None:
    """The action succeeded: back on the case page with its confirmation."""
    from playwright.sync_api import expect

    expect(page.get_by_role("status")).to_contain_text(message)
    expect(page.locator("#case-stage")).to_be_visible()


def test_referral_to_withdrawal_in_the_browser_with_every_refusal_explained(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    today = timezone.localdate()
    referrer_pages: list[str] = []

    def remember() -> None:
        referrer_pages.append(page.content())

    # 1. The referrer sends a referral.
    sign_in(page, base, "referrer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    page.get_by_label("Incident or crime reference").fill("RP/2026/0413")
    page.get_by_label("Date of the incident").fill((today - timedelta(days=6)).isoformat())
    page.get_by_label("Offence category").select_option(label="Theft or shoplifting")
    page.get_by_label("Where the matter stands").select_option(label="Pre-charge diversion")
    page.get_by_label("What happened").fill("A bicycle was taken from outside the library.")
    harmed = page.locator("#harmed-1")
    expect(harmed.get_by_role("heading")).to_have_text("Harmed party 1")
    harmed.get_by_label("Given name").fill("Hana")
    harmed.get_by_label("Family name").fill("Harmed")
    harmed.get_by_label("Date of birth").fill("1980-05-01")
    harmed.get_by_label("Phone").fill(HARMED_PHONE)
    harmed.get_by_label("Address").fill(HARMED_ADDRESS)
    responsible = page.locator("#responsible-1")
    responsible.get_by_label("Given name").fill("Rory")
    responsible.get_by_label("Family name").fill("Responsible")
    responsible.get_by_label("Admits responsibility").select_option(label="Yes")
    shot(page, "01-referral-form")
    page.get_by_role("button", name="Send the referral").click()

    received = page.get_by_role("status")
    expect(received).to_contain_text("Referral received. Its reference is ")
    reference = re.search(r"reference is (\S+?)\.(\s|$)", received.inner_text())
    assert reference, received.inner_text()
    reference = reference.group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {reference}")
    expect(page.locator("#referral-status")).to_have_text("Received")
    remember()
    shot(page, "02-referral-received")
    sign_out(page)

    # 2. The coordinator screens it, assigns the team and accepts it.
    sign_in(page, base, "coordinator")
    panel = page.get_by_role("region", name=re.compile("^Referrals to screen"))
    expect(panel.get_by_role("link", name=reference)).to_be_visible()
    shot(page, "03-coordinator-dashboard")
    panel.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    expect(page.locator("#case-stage")).to_have_text("Referral")
    shot(page, "04-case-new")

    do_action(page, "Start screening", fill={"Reason or note": "Looks suitable."})
    expect_done(page, "Screening has started.")
    expect(page.locator("#case-stage")).to_have_text("Screening")
    # Before eligibility and a lead facilitator, the panel says what blocks acceptance.
    blockers = page.locator("#blockers")
    expect(blockers).to_contain_text("Eligibility has not been confirmed.")
    expect(blockers).to_contain_text("No lead facilitator is assigned.")

    criteria = [c.label for c in world.program.eligibility_criteria.filter(is_active=True)]
    assert criteria
    do_action(
        page,
        "Decide eligibility",
        check=dict.fromkeys(criteria, "Met"),
        fill={"Why (a sentence or two)": "All four tests met; confirmed with the officer."},
    )
    expect_done(page, "Recorded: eligible.")
    do_action(page, "Assign the team", select={"Lead facilitator": "Facilitator"})
    expect_done(page, "The team was saved.")
    expect(page.locator("#blockers-none")).to_have_text(
        "Nothing: the case can move to Contact and consent."
    )
    # At screening the main action is accepting; the generic forward move is not offered.
    actions = page.locator("section.mend-actions")
    expect(actions.get_by_role("link", name=re.compile(r"^Move to "))).to_have_count(0)
    shot(page, "05-screened")
    do_action(page, "Accept the referral", fill={"Reason or note": "Accepted at screening."})
    expect_done(page, "The referral is accepted.")
    expect(page.locator("#case-stage")).to_have_text("Contact and consent")

    # 3. Moving on before anyone consented is refused, with the reasons.
    expect(page.locator("#blockers")).to_contain_text(
        f"{HARMED} has not consented to be contacted."
    )
    do_action(page, "Move to Assessment and preparation")
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(f"{HARMED} has not consented to be contacted.")
    expect(refusal).to_contain_text(f"{RESPONSIBLE} has not consented to be contacted.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Move to Assessment and preparation")
    shot(page, "06-forward-refused")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#case-stage")).to_have_text("Contact and consent")
    assert Case.objects.get(reference=reference).stage == Stage.CONTACT

    # 4. Consent, process, assessment: then the case can go into the restorative process.
    def consent(who: str, purpose: str, how: str) -> None:
        do_action(
            page,
            "Record consent",
            select={"Whose consent": who, "Consent to": purpose, "How": how},
            check={"Decision": "Given"},
        )
        expect_done(page, "The consent entry was recorded.")

    consent(f"{HARMED} (Harmed party)", "To be contacted", "Verbally")
    consent(f"{RESPONSIBLE} (Responsible party)", "To be contacted", "In writing")
    expect(page.locator("#blockers-none")).to_have_text(
        "Nothing: the case can move to Assessment and preparation."
    )
    do_action(
        page, "Move to Assessment and preparation", fill={"Reason or note": "Both agreed to talk."}
    )
    expect_done(page, "The case moved to Assessment and preparation.")
    expect(page.locator("#case-stage")).to_have_text("Assessment and preparation")
    blockers = page.locator("#blockers")
    expect(blockers).to_contain_text("The restorative process has not been chosen.")
    expect(blockers).to_contain_text(f"{HARMED} has no current safety assessment.")

    do_action(page, "Choose the process", select={"Restorative process": "Restorative conference"})
    expect_done(page, "The planned process was saved.")
    expect(page.locator("#blockers")).to_contain_text(
        f"{HARMED} has not consented to meet face to face."
    )
    shot(page, "07-preparation-blocked")
    consent(f"{HARMED} (Harmed party)", "To meet face to face", "In writing")
    consent(f"{RESPONSIBLE} (Responsible party)", "To meet face to face", "In writing")
    for who in (f"{HARMED} (Harmed party)", f"{RESPONSIBLE} (Responsible party)"):
        do_action(
            page,
            "Record a safety assessment",
            select={"Who was assessed": who},
            check={"Result": "Suitable"},
            fill={"Risk of further harm": "Low; no contact since the incident."},
        )
        expect_done(page, "The safety assessment was recorded.")
    expect(page.locator("#blockers")).to_have_count(0)
    expect(page.locator("#blockers-none")).to_have_text(
        "Nothing: the case can move to Restorative process."
    )
    shot(page, "08-preparation-ready")
    do_action(page, "Move to Restorative process")
    expect_done(page, "The case moved to Restorative process.")
    expect(page.locator("#case-stage")).to_have_text("Restorative process")

    # 5. The harmed party withdraws: the case ends.
    do_action(
        page,
        "Record a withdrawal",
        select={"Who is withdrawing": f"{HARMED} (Harmed party)", "How they told us": "Verbally"},
        fill={"What they said": "Does not want to go on."},
    )
    expect_done(page, f"{HARMED} has withdrawn.")
    expect(page.locator("#case-stage")).to_have_text("Withdrawn")
    expect(page.locator("#case-outcome")).to_contain_text("Withdrawn by harmed party")
    shot(page, "09-withdrawn")
    case_url = page.url
    sign_out(page)

    # 6. The referrer sees the outcome category, and nothing else about the case.
    sign_in(page, base, "referrer")
    remember()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My referrals").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row.get_by_role("cell").filter(has_text="Closed")).to_have_count(1)
    expect(row).to_contain_text("Withdrawn by harmed party")
    remember()
    shot(page, "10-my-referrals")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#referral-status")).to_have_text("Closed")
    expect(page.locator("#referral-outcome")).to_have_text("Withdrawn by harmed party")
    remember()
    shot(page, "11-referral-closed")
    refused = page.goto(case_url)
    assert refused is not None and refused.status == 404
    remember()

    for html in referrer_pages:
        assert HARMED_PHONE not in html
        assert HARMED_ADDRESS not in html
        for private in ("Hana", "Rory", "Does not want to go on", "Restorative conference"):
            assert private not in html


def test_case_flow_works_in_spanish(live_server: Any, page: Any, world: World) -> None:
    from playwright.sync_api import expect

    case = submit(world)
    sign_in(page, live_server.url, "coordinator")

    footer = page.locator("footer")
    footer.get_by_label("Language", exact=True).select_option("es")
    footer.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.get_by_role("navigation").get_by_role("link", name=es("All cases")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Cases"))
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("#case-stage")).to_have_text(es("Referral"))
    shot(page, "20-spanish-case")

    do_action(page, es("Start screening"), fill={es("Reason or note"): "Parece adecuado."})
    expect_done(page, es("Screening has started."))
    expect(page.locator("#case-stage")).to_have_text(es("Screening"))

    criteria = [es(c.label) for c in world.program.eligibility_criteria.filter(is_active=True)]
    do_action(
        page,
        es("Decide eligibility"),
        check=dict.fromkeys(criteria, es("Met")),
        fill={es("Why (a sentence or two)"): "Se cumplen los cuatro criterios."},
    )
    expect_done(page, es("Recorded: eligible."))
    expect(page.locator("#case-stage")).to_have_text(es("Screening"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shot(page, "21-spanish-screened")
    case.refresh_from_db()
    assert case.eligibility == Case.Eligibility.PASSED

"""axe-core finds no WCAG 2.0, 2.1 or 2.2 A/AA violation on any page Mend serves.

The pages come from the URL x persona table in test_url_permissions.py: every GET URL,
opened by each persona the table expects to get 200. A page added to that table is
checked here the day it lands, with no change to this file.

The matrix, so that it runs in a few minutes on two cores:
- each (page, persona answering 200) is visited once, in one language and at one width;
- language and width alternate along each page's list of personas, so every page is
  seen in English and Spanish and at 1280 px and 390 px (a page only one persona may
  open is visited twice by them); the pairing flips from one page to the next, so both
  languages meet both widths across the run;
- one browser context per persona, signed in once by session cookie; a persona's pages
  are checked in parts of at most PART visits, one test each, so two workers share them;
- besides the table: the case page at every stage with each action form it offers, the
  main forms after a failed submit (the error summary shown), pages that only a
  successful POST reaches (a new API key, a temporary password, an import preview...),
  and the 403 and 404 pages.
Responses that are not HTML (the health check, the OpenAPI document, the admin's
JavaScript catalogue) are not pages and are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from mend.accounts.models import User
from mend.core.tests.test_url_permissions import ALL_CASES, PERSONAS, page_url, prepare_world
from mend.testing.axe import axe_violations, describe
from mend.testing.browser import screenshot, signed_in_context
from mend.testing.personas import World

LANGUAGES = ["en", "es"]
WIDTHS = [1280, 390]


@dataclass(frozen=True)
class Visit:
    name: str
    persona: str
    language: str
    width: int


# Files to save (Content-Disposition: attachment): a browser downloads them, never shows them.
DOWNLOADS = frozenset(
    {
        "processes:letter_attachment",
        "processes:calendar_feed_ics",
        "agreements:signed_copy",
        "agreements:party_copy",
        "agreements:closure_letter",
        "agreements:outcome_report",
        "outcomes:export_full",
        "outcomes:export_person_free",
        "outcomes:returns_pdf",
        "outcomes:returns_csv",
    }
)


def plan() -> list[Visit]:
    """Every (GET page, persona answering 200), alternating language and width."""
    visits = []
    pages = [
        (n, c) for n, c in sorted(ALL_CASES.items()) if c.method == "get" and n not in DOWNLOADS
    ]
    for index, (name, case) in enumerate(pages):
        personas = [p for p in PERSONAS if case.expected[p] == 200]
        if not personas:
            continue
        if len(personas) == 1:
            personas = personas * 2
        for position, persona in enumerate(personas):
            language = LANGUAGES[(position + index) % 2]
            visits.append(Visit(name, persona, language, WIDTHS[position % 2]))
    return visits


PLAN = plan()
# A persona's visits in parts of at most this many, so the two workers finish together.
PART = 12


def parts() -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for visit in PLAN:
        counts[visit.persona] = counts.get(visit.persona, 0) + 1
    return [(p, part) for p, n in sorted(counts.items()) for part in range(-(-n // PART))]


def test_the_plan_sees_every_page_in_both_languages_and_at_both_widths() -> None:
    pages = {n for n, c in ALL_CASES.items() if c.method == "get" and 200 in c.expected.values()}
    assert {visit.name for visit in PLAN} == pages - DOWNLOADS
    for name in pages - DOWNLOADS:
        seen = [visit for visit in PLAN if visit.name == name]
        assert {visit.language for visit in seen} == set(LANGUAGES), name
        assert {visit.width for visit in seen} == set(WIDTHS), name
        allowed = {p for p in PERSONAS if ALL_CASES[name].expected[p] == 200}
        assert {visit.persona for visit in seen} == allowed, name
    # Across the run both languages meet both widths.
    pairs = {(visit.language, visit.width) for visit in PLAN}
    assert pairs == {(language, width) for language in LANGUAGES for width in WIDTHS}


class Browsing:
    """One persona's browser context: signed in once, language and width set per visit."""

    def __init__(self, browser: Any, base_url: str, world: World, persona: str) -> None:
        self.base_url = base_url
        self.user: User | None = None if persona == "anonymous" else world[persona]
        self.context = signed_in_context(browser, base_url, self.user)
        self.page = self.context.new_page()
        self.persona = persona
        self.found: list[str] = []

    def set_language(self, language: str) -> None:
        if self.user is not None:
            User.objects.filter(pk=self.user.pk).update(preferred_language=language)
        self.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
        )

    def open(self, path: str, language: str, width: int, expected: int = 200) -> bool:
        """Go to a page; False when the answer is not an HTML page (nothing to check)."""
        self.set_language(language)
        self.page.set_viewport_size({"width": width, "height": 900})
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None
        assert response.status == expected, f"{self.persona} {path}: {response.status}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            return False
        lang = self.page.locator("html").get_attribute("lang")
        if lang != language:
            self.found.append(f"{path} ({self.persona}) asked in {language} says lang={lang!r}")
        return True

    def check(self, label: str, language: str, width: int) -> None:
        """Run axe on the page as it is now and keep what it finds."""
        found = describe(axe_violations(self.page))
        shot = f"axe-{self.persona}-{label}-{language}-{width}".replace("/", "_").replace(":", "-")
        screenshot(self.page, shot)
        self.found += [f"{label} ({self.persona}, {language}, {width} px): {f}" for f in found]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browsing(browser: Any, live_server: Any, world: World) -> Iterator[Any]:
    prepare_world(world)
    opened: list[Browsing] = []

    def start(persona: str) -> Browsing:
        session = Browsing(browser, live_server.url, world, persona)
        opened.append(session)
        return session

    yield start
    for session in opened:
        session.close()


@pytest.mark.browser
@pytest.mark.parametrize(("persona", "part"), parts())
def test_every_page_a_persona_may_open_has_no_axe_violations(
    persona: str, part: int, browsing: Any, world: World
) -> None:
    session = browsing(persona)
    mine = [visit for visit in PLAN if visit.persona == persona]
    for visit in mine[part * PART : (part + 1) * PART]:
        path = page_url(visit.name, world)
        if session.open(path, visit.language, visit.width):
            session.check(visit.name, visit.language, visit.width)
    assert session.found == [], "\n".join(session.found)


@pytest.mark.browser
def test_every_case_stage_and_action_form_has_no_axe_violations(
    browsing: Any, world: World
) -> None:
    from mend.cases.stages import Stage
    from mend.testing.cases import submit, to_stage

    session = browsing("coordinator")
    stages = [Stage.SCREENING, Stage.CONTACT, Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT]
    cases = [world.case, *(to_stage(world, submit(world), stage) for stage in stages)]  # type: ignore[attr-defined]
    cases.append(_case_with_letters(world))
    seen: set[str] = set()
    turn = 0
    for case in cases:
        language, width = LANGUAGES[turn % 2], WIDTHS[turn % 2]
        turn += 1
        session.open(case.get_absolute_url(), language, width)
        session.check(f"case at {case.stage}", language, width)
        actions = []
        for href in session.page.locator("main a[href]").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        ):
            try:
                match = resolve(href.split("?")[0])
            except Resolver404:
                continue
            if match.view_name == "cases:action" and match.kwargs["action"] not in seen:
                seen.add(match.kwargs["action"])
                actions.append(href)
        for href in actions:
            language, width = LANGUAGES[turn % 2], WIDTHS[(turn // 2) % 2]
            turn += 1
            session.open(href, language, width)
            session.check(f"action {href.rstrip('/').rsplit('/', 1)[-1]}", language, width)
    # The crawl must have reached the action forms (not found the case pages empty).
    assert len(seen) >= 5, f"only these actions were offered: {sorted(seen)}"
    letter_actions = {"letter", "letter_review", "letter_revise", "letter_deliver"}
    assert {*letter_actions, "letter_attach", "letter_attachment_remove"} <= seen, sorted(seen)
    assert session.found == [], "\n".join(session.found)


def _case_with_letters(world: World) -> Any:
    """Letters awaiting review, returned, approved with a passage removed and delivered, so
    the crawl reaches each letter action and the section shows every kind of row."""
    import io

    from mend.processes import letter_services
    from mend.processes.attachments import add_attachment, remove_attachment
    from mend.testing.letters import approve, deliver, letters_case, write

    case = letters_case(world)
    waiting = write(world, case, "Waiting for review.")
    for name in ("scan.pdf", "taken.pdf"):
        attachment = add_attachment(
            case=case,
            letter=waiting,
            upload=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
            name=name,
            by=world["facilitator"],
            expected_version=None,
        )
    remove_attachment(
        case=case,
        letter=waiting,
        attachment=attachment,
        by=world["facilitator"],
        expected_version=None,
    )
    returned = write(world, case, "Too long.")
    letter_services.review_version(
        case=case,
        letter=returned,
        decision="returned",
        comments="Shorter.",
        by=world["facilitator"],
        expected_version=None,
    )
    approve(world, case, write(world, case, "Sorry. I live on Elm Road."), redact=("Elm Road",))
    deliver(world, case, approve(world, case, write(world, case, "Delivered.")))
    return case


# Forms shown again with their errors: (persona, URL name, URL kwargs).
FAILED_FORMS = [
    ("anonymous", "accounts:sign_in", {}),
    ("coordinator", "cases:new_referral", {}),
    ("referrer", "cases:new_referral", {}),
    ("facilitator", "cases:action", {"action": "note"}),
    ("coordinator", "accounts:password_change", {}),
    ("volunteer", "accounts:two_factor_setup", {}),
    ("program_admin", "programs:members", {}),
    ("program_admin", "partners:api_keys", {}),
    ("program_admin", "partners:webhooks", {}),
    ("coordinator", "partners:import_referrals", {}),
    ("program_admin", "programs:edit_timing", {}),
    ("program_admin", "programs:edit_retention", {}),
    ("program_admin", "programs:add_category", {}),
    ("coordinator", "agreements:add_placement", {}),
    ("program_admin", "agreements:agreement_settings", {}),
]


@pytest.mark.browser
def test_forms_shown_again_with_errors_have_no_axe_violations(browsing: Any, world: World) -> None:
    sessions: dict[str, Browsing] = {}
    for turn, (persona, name, kwargs) in enumerate(FAILED_FORMS):
        session = sessions.get(persona) or sessions.setdefault(persona, browsing(persona))
        if name == "cases:action":
            kwargs = {**kwargs, "reference": world.case.reference}  # type: ignore[attr-defined]
        language, width = LANGUAGES[turn % 2], WIDTHS[(turn // 2) % 2]
        session.open(reverse(name, kwargs=kwargs), language, width)
        # The page's main form: the one with the most fields (not a revoke button's).
        forms = session.page.locator("main form[method=post]")
        sizes = forms.evaluate_all("all => all.map(form => form.elements.length)")
        form = forms.nth(sizes.index(max(sizes)))
        for field in form.locator(
            "input[type=text], input[type=email], input[type=password], input[type=date], "
            "input[type=url], input[type=number], textarea"
        ).all():
            if field.is_visible() and field.is_editable():
                field.fill("")
        with session.page.expect_navigation():
            form.locator("button[type=submit]").last.click()
        # Every main form answers a failed submit with the error summary, focused.
        summary = session.page.locator("[data-error-summary]")
        assert summary.count() == 1, f"{name} as {persona}: no error summary after a bad submit"
        assert summary.evaluate("box => box === document.activeElement"), f"{name}: not focused"
        session.check(f"{name} with errors", language, width)
    found = [line for session in sessions.values() for line in session.found]
    assert found == [], "\n".join(found)


@pytest.mark.browser
def test_refusal_and_not_found_pages_have_no_axe_violations(browsing: Any) -> None:
    found = []
    for turn, language in enumerate(LANGUAGES):
        width = WIDTHS[turn]
        volunteer = browsing("volunteer")
        volunteer.open(reverse("cases:new_referral"), language, width, expected=403)
        volunteer.check("403", language, width)
        stranger = browsing("anonymous")
        stranger.open("/no-such-page/", language, WIDTHS[1 - turn], expected=404)
        stranger.check("404", language, WIDTHS[1 - turn])
        found += volunteer.found + stranger.found
    assert found == [], "\n".join(found)


def _post_from_page(page: Any, url: str) -> None:
    """Send a POST to `url` as a form on the page would (with its CSRF token)."""
    with page.expect_navigation():
        page.evaluate(
            """url => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = url;
                const token = document.querySelector("input[name=csrfmiddlewaretoken]");
                form.appendChild(token.cloneNode());
                document.body.appendChild(form);
                form.submit();
            }""",
            url,
        )


def spanish(msgid: str) -> str:
    with translation.override("es"):
        return translation.gettext(msgid)


def _first_choice(form: Any, label: str) -> None:
    select = form.get_by_label(label, exact=True)
    value = select.locator("option:not([value=''])").first.get_attribute("value")
    select.select_option(value=value)


@pytest.mark.browser
def test_pages_reached_by_a_successful_post_have_no_axe_violations(
    browsing: Any, world: World
) -> None:
    from mend.partners.tests.test_import import GOOD_1, HEADER

    admin = browsing("program_admin")
    admin.open(reverse("partners:api_keys"), "es", 390)
    form = admin.page.locator("main form.usa-form")
    form.get_by_label(spanish("Name"), exact=True).fill("Records system")
    _first_choice(form, spanish("Agency"))
    form.locator(".usa-checkbox__label").first.click()
    with admin.page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    admin.check("API key created", "es", 390)

    admin.open(reverse("partners:webhooks"), "en", 1280)
    form = admin.page.locator("main form.usa-form")
    _first_choice(form, "Agency")
    form.get_by_label("URL").fill("http://127.0.0.1:9/hook")
    with admin.page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    admin.check("webhook created", "en", 1280)

    admin.open(reverse("programs:members"), "es", 1280)
    form = admin.page.locator("main form.usa-form")
    form.get_by_label(spanish("Full name"), exact=True).fill("Sam Newcomer")
    form.get_by_label(spanish("Work e-mail"), exact=True).fill("sam@example.org")
    form.get_by_label(spanish("Role"), exact=True).select_option(value="volunteer")
    with admin.page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    admin.check("invitation created", "es", 1280)

    membership = world.program.memberships.get(user=world["volunteer"], ended_at__isnull=True)
    admin.open(reverse("programs:members"), "en", 390)
    _post_from_page(admin.page, reverse("programs:reset_member_password", args=[membership.pk]))
    admin.check("temporary password", "en", 390)

    coordinator = browsing("coordinator")
    coordinator.open(reverse("partners:import_referrals"), "es", 1280)
    form = coordinator.page.locator("main form.usa-form")
    _first_choice(form, spanish("Referring agency"))
    form.locator("input[type=file]").set_input_files(
        {
            "name": "referrals.csv",
            "mimeType": "text/csv",
            "buffer": f"{HEADER}\n{GOOD_1}\n".encode(),
        }
    )
    with coordinator.page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    coordinator.check("import preview", "es", 1280)

    found = admin.found + coordinator.found
    assert found == [], "\n".join(found)


@pytest.mark.browser
def test_term_pages_with_their_follow_up_have_no_axe_violations(
    browsing: Any, world: World
) -> None:
    """Each kind of term with entries in every state (a schedule, an overpayment and a
    correction; sessions verified, unverified and beyond the agreement, a warning), and
    the payment form shown again with its errors."""
    from datetime import time, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from mend.agreements import hours, ledger
    from mend.agreements.models import Instalment
    from mend.testing.terms import followed_up

    f = followed_up(world, hours=2)
    today = timezone.localdate()
    for days in (-10, 20, 40):
        Instalment.objects.create(
            term=f.restitution, due_on=today + timedelta(days=days), amount=Decimal("40.00")
        )
    by = world["coordinator"]
    first = ledger.record_payment(
        term=f.restitution,
        amount="30.00",
        paid_on=today,
        method="cash",
        receipt="R-1",
        by=by,
        expected_version=None,
    )
    ledger.correct_payment(payment=first, reason="Wrong case.", by=by, expected_version=None)
    ledger.record_payment(
        term=f.restitution,
        amount="130.00",
        paid_on=today,
        method="card",
        overpayment=True,
        by=by,
        expected_version=None,
    )
    for start, verified in ((9, True), (13, True), (17, False)):
        session = hours.check_in(
            term=f.service, on=today, at=time(start), by=by, expected_version=None
        )
        session = hours.check_out(session=session, at=time(start + 2), by=by, expected_version=None)
        if verified:
            hours.verify_session(
                session=session,
                via="on_behalf",
                verifier_name="Pat Placement",
                by=by,
                expected_version=None,
            )
    hours.record_incident(
        term=f.service,
        severity="warning",
        category="late",
        on=today,
        text="Late.",
        by=by,
        expected_version=None,
    )
    session = browsing("coordinator")
    pages = [f.url(f.restitution), f.url(f.service), f.url(f.program)]
    for turn, url in enumerate(pages):
        language, width = LANGUAGES[turn % 2], WIDTHS[(turn // 2) % 2]
        session.open(url, language, width)
        session.check(f"term {turn}", language, width)
    session.open(pages[0], "es", 390)
    form = session.page.locator("#form-payment form")
    with session.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert session.page.locator("[data-error-summary]").count() == 1
    session.check("payment form with errors", "es", 390)
    session.open(pages[1], "en", 1280)
    form = session.page.locator("#form-incident form")
    with session.page.expect_navigation():
        form.locator("button[type=submit]").click()
    session.check("incident form with errors", "en", 1280)
    assert session.found == [], "\n".join(session.found)


def test_placement_and_fee_pages_reached_by_a_post_have_no_axe_violations(
    browsing: Any, world: World
) -> None:
    from mend.agreements import settings_services
    from mend.testing.agreements import session_to_verify

    session = session_to_verify(world)
    settings_services.update_agreement_settings(
        program=world.program,
        by=None,
        expected_version=None,
        currency="USD",
        charges_fees=True,
        standard_fee="40.00",
        reminder_days=7,
        kinds_shared_with_referrer=[],
    )
    coordinator = browsing("coordinator")
    coordinator.open(reverse("agreements:change_placement", args=[session.placement_id]), "es", 390)
    with coordinator.page.expect_navigation():
        coordinator.page.locator("main form[action$='/link/'] button[type=submit]").click()
    coordinator.check("verification link made", "es", 390)
    link = coordinator.page.locator("#verify-url").inner_text()

    coordinator.open(
        reverse("agreements:fees", args=[session.term.agreement.case.reference]), "en", 1280
    )
    coordinator.check("fees", "en", 1280)
    form = coordinator.page.locator("main form").first
    form.locator("input[type=date]").fill("")
    with coordinator.page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    assert coordinator.page.locator("[data-error-summary]").count() == 1
    coordinator.check("fees with errors", "en", 1280)

    placement = browsing("anonymous")
    path = link.split("://", 1)[-1].split("/", 1)[-1]
    placement.open(f"/{path}", "en", 390)
    with placement.page.expect_navigation():
        placement.page.locator("main form button[type=submit]").last.click()
    assert placement.page.locator("[data-error-summary]").count() == 1
    placement.check("verification with errors", "en", 390)
    placement.open(
        reverse("agreements:flag_session", args=[path.split("/")[-2], session.pk]), "es", 1280
    )
    with placement.page.expect_navigation():
        placement.page.locator("main form button[type=submit]").last.click()
    placement.check("flag with errors", "es", 1280)
    found = coordinator.found + placement.found
    assert found == [], "\n".join(found)

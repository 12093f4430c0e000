"""The page frame in a real browser: sign in with two-factor set-up, switch program and
language, sign out; and the sign-in page by keyboard alone."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django.utils import translation
from django_otp.oath import TOTP

from mend.accounts.models import User
from mend.core.models import AuditEvent
from mend.programs import services as programs
from mend.programs.models import Program
from mend.programs.roles import Role
from mend.testing.browser import screenshot
from mend.testing.personas import PASSWORD, make_user

pytestmark = pytest.mark.browser

TOTP_STEP = 30


def shot(page: Any, name: str) -> None:
    screenshot(page, f"{name}")


def current_totp_code(secret: str) -> str:
    """The code an authenticator app would show now for this base32 key.

    Our tolerance is 0 and django-otp refuses a time step already used, so near the end of
    a 30-second window we wait for the next one rather than race the boundary.
    """
    if TOTP_STEP - time.time() % TOTP_STEP < 3:
        time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 0.2)
    key = base64.b32decode(secret.replace(" ", "").upper())
    return f"{TOTP(key, step=TOTP_STEP, t0=0, digits=6, drift=0).token():06d}"


def two_programs_one_requiring_mfa(username: str) -> tuple[User, Program, Program]:
    protected = programs.create_program(
        name="Riverside Restorative Justice", slug="riverside", require_mfa=True, by=None
    )
    relaxed = programs.create_program(
        name="Lakeside Community Conferencing", slug="lakeside", require_mfa=False, by=None
    )
    user = make_user(username)
    programs.grant_membership(user=user, program=protected, role=Role.COORDINATOR, by=None)
    programs.grant_membership(user=user, program=relaxed, role=Role.FACILITATOR, by=None)
    return user, protected, relaxed


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def header_program_name(page: Any) -> str:
    return str(page.locator("header .usa-logo__text a").inner_text()).strip()


def test_new_staff_member_enrols_two_factor_switches_program_and_language_and_signs_out(
    live_server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    user, protected, relaxed = two_programs_one_requiring_mfa("newstaff")
    assert not user.totpdevice_set.exists()

    # Password first; the program requires two-factor, so set-up comes next.
    page.goto(f"{base}/account/sign-in/")
    shot(page, "01-sign-in")
    sign_in(page, base, "newstaff")
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    shot(page, "02-two-factor-setup")

    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert secret and re.fullmatch(r"[A-Z2-7]+=*", secret)
    page.get_by_label("6-digit code from your app").fill(current_totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    # Ten recovery codes, shown once, then on to the dashboard.
    expect(page).to_have_url(re.compile(r"/account/two-factor/recovery-codes/$"))
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "03-recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Newstaff")
    shot(page, "04-dashboard")

    # Switch to the other program with the header's switcher.
    first = header_program_name(page)
    assert first in {protected.name, relaxed.name}
    other = relaxed.name if first == protected.name else protected.name
    page.get_by_label("Program", exact=True).select_option(label=other)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("header .usa-logo__text a")).to_have_text(other)
    expect(page.get_by_role("status")).to_contain_text(f"You are now working in {other}.")
    shot(page, "05-switched-program")

    # Switch language to Spanish with the footer's form.
    footer = page.locator("footer")
    language = footer.get_by_label("Language", exact=True)
    expect(language).to_have_attribute("id", "footer-language")
    language.select_option("es")
    footer.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    with translation.override("es"):
        sign_out_es = translation.gettext("Sign out")
    sign_out_button = page.locator("button.mend-sign-out")
    expect(sign_out_button).to_have_text(sign_out_es)
    # The program chosen before the language change is kept.
    expect(page.locator("header .usa-logo__text a")).to_have_text(other)
    shot(page, "06-spanish")

    # Sign out: back to sign-in, and the account page is closed again.
    sign_out_button.click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/$"))
    expect(page.locator("#id_username")).to_be_visible()
    shot(page, "07-signed-out")
    page.goto(f"{base}/account/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=/account/$"))
    shot(page, "08-account-after-sign-out")

    assert AuditEvent.objects.filter(action="auth.signed_in", actor=user).exists()
    assert AuditEvent.objects.filter(action="mfa.enrolled", actor=user).exists()
    assert AuditEvent.objects.filter(action="auth.signed_out", actor=user).exists()
    assert user.totpdevice_set.filter(confirmed=True).count() == 1


def test_sign_in_page_is_keyboard_operable(live_server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    program = programs.create_program(
        name="Lakeside Community Conferencing", slug="lakeside", require_mfa=False, by=None
    )
    user = make_user("keyboarder")
    programs.grant_membership(user=user, program=program, role=Role.COORDINATOR, by=None)

    page.goto(f"{live_server.url}/account/sign-in/")

    def tab() -> dict[str, str]:
        page.keyboard.press("Tab")
        focused: dict[str, str] = page.evaluate(
            """() => {
                const el = document.activeElement;
                return {tag: el.tagName, id: el.id || "", text: (el.innerText || "").trim(),
                        type: el.getAttribute("type") || ""};
            }"""
        )
        return focused

    first = tab()
    assert first["tag"] == "A" and first["text"] == "Skip to main content"
    expect(page.locator("a.usa-skipnav")).to_be_visible()  # shown while focused
    shot(page, "10-keyboard-skip-link")

    # Walk on until the username field; then password and the button follow directly.
    stops = [tab()]
    while stops[-1]["id"] != "id_username":
        assert len(stops) < 5, f"Tab never reached the username field: {stops}"
        stops.append(tab())
    page.keyboard.type("keyboarder")
    assert tab()["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    button = tab()
    assert button["tag"] == "BUTTON" and button["text"] == "Sign in"

    # Back to the password field; Enter there submits the form.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    shot(page, "11-keyboard-filled")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Keyboarder")
    shot(page, "12-keyboard-signed-in")
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=user).exists()

"""A letter in a real browser: drafted, returned, revised, redacted, approved and
delivered, by clicks and typing on the case page; the recipient's copy shows the marker
where a passage was removed, and staff still see what was written."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mend.cases.models import Person
from mend.cases.tests.test_browser_case_flow import expect_done, fill_form, sign_in
from mend.processes.models import Letter
from mend.testing.cases import parties
from mend.testing.letters import letters_case
from mend.testing.personas import World

pytestmark = pytest.mark.browser


def _open(page: Any, name: str | re.Pattern[str]) -> Any:
    from playwright.sync_api import expect

    page.locator("section#letters").get_by_role("link", name=name).click()
    expect(page.locator("main form")).to_be_visible()
    return page.locator("main form")


def test_a_letter_goes_from_draft_to_delivery_through_the_pages(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    case = letters_case(world)
    responsible, harmed = parties(case, "responsible")[0], parties(case, "harmed")[0]
    sign_in(page, live_server.url, "facilitator")
    page.goto(live_server.url + case.get_absolute_url())
    expect(page.locator("#letters-none")).to_be_visible()

    form = _open(page, "Write a letter or message")
    form.get_by_label("Written by", exact=True).select_option(value=str(responsible.pk))
    form.get_by_label("To", exact=True).select_option(value=str(harmed.pk))
    fill_form(page, fill={"Text": "I am sorry. My mate Dex helped me."})
    form.get_by_role("button", name="Write a letter or message").click()
    expect_done(page, "The letter is saved.")

    form = _open(page, re.compile("^Review: letter from"))
    fill_form(page, check={"Decision": "Return it to the author with comments"})
    form.get_by_label(re.compile("^Comments for the author")).fill("Say more.")
    form.get_by_role("button", name="Review a letter").click()
    expect_done(page, "The letter is returned to its author")

    form = _open(page, re.compile("^Revise: letter from"))
    fill_form(page, fill={"The revised text": "I am sorry. My mate Dex helped me. I will pay."})
    form.get_by_role("button", name="Revise a returned letter").click()
    expect_done(page, "Version 2 is saved and awaits review.")

    form = _open(page, re.compile("^Review: letter from"))
    fill_form(page, check={"Decision": "Approve it to be delivered"})
    form.get_by_label(re.compile("^Passages to remove")).fill("My mate Dex helped me.")
    form.get_by_role("button", name="Review a letter").click()
    expect_done(page, "The letter is approved.")

    form = _open(page, re.compile("^Record delivery: letter from"))
    fill_form(page, check={"What happened": "It was delivered"})
    form.get_by_label(re.compile("^How it was delivered")).select_option(label="In person")
    form.get_by_role("button", name="Record the delivery of a letter").click()
    expect_done(page, "The letter is recorded as delivered.")

    letter = Letter.objects.get(case=case)
    box = page.locator(f"#letter-{letter.pk}")
    expect(box).to_contain_text("Delivered")
    expect(page.locator(f"#letter-{letter.pk}-version-1")).to_contain_text("Returned with comments")
    second = page.locator(f"#letter-{letter.pk}-version-2")
    expect(second).to_contain_text("I am sorry. My mate Dex helped me. I will pay.")
    expect(second).to_contain_text("I am sorry. [removed by the facilitator] I will pay.")


def test_a_facilitator_reading_spanish_writes_approves_and_delivers_a_letter_in_spanish(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    world["facilitator"].preferred_language = "es"
    world["facilitator"].save(update_fields=["preferred_language"])
    case = letters_case(world)
    responsible, harmed = parties(case, "responsible")[0], parties(case, "harmed")[0]
    Person.objects.filter(pk=harmed.person_id).update(preferred_language="es")
    sign_in(page, live_server.url, "facilitator")
    page.goto(live_server.url + case.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "es")

    form = _open(page, "Escribir una carta o un mensaje")
    form.get_by_label("Escrito por", exact=True).select_option(value=str(responsible.pk))
    form.get_by_label("Para", exact=True).select_option(value=str(harmed.pk))
    fill_form(page, fill={"Texto": "Lo siento. Vivo en la calle Olmo 4."})
    form.get_by_role("button", name="Escribir una carta o un mensaje").click()
    expect_done(page, "La carta se ha guardado.")

    form = _open(page, re.compile("^Revisar: carta de"))
    fill_form(page, check={"Decisión": "Aprobarla para su entrega"})
    form.get_by_label(re.compile("^Pasajes que se eliminan")).fill("Vivo en la calle Olmo 4.")
    form.get_by_role("button", name="Revisar una carta").click()
    expect_done(page, "La carta está aprobada.")

    form = _open(page, re.compile("^Registrar la entrega: carta de"))
    fill_form(page, check={"Qué ocurrió": "Se entregó"})
    form.get_by_label(re.compile("^Cómo se entregó")).select_option(label="En persona")
    form.get_by_role("button", name="Registrar la entrega de una carta").click()
    expect_done(page, "La carta consta como entregada.")

    letter = Letter.objects.get(case=case)
    expect(page.locator(f"#letter-{letter.pk}")).to_contain_text("Entregado")
    expect(page.locator(f"#letter-{letter.pk}-version-1")).to_contain_text(
        "Lo siento. [eliminado por el facilitador]"
    )

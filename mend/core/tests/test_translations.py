"""Translations: every language offered has a complete, compiled catalogue that pages use."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
SPANISH_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
SPANISH_MO = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.mo"

# Python %-style placeholders: %(name)s, %d, %5.2f ... ("%%" is a literal percent sign).
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]+)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conversion>[diouxXeEfFgGcrsa%])"
)


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group("conversion") != "%"}


def offered_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != "en"]


def translated_mapping(
    catalogue: polib.POFile | polib.MOFile,
) -> dict[tuple[str | None, str, str], str | tuple[str, ...]]:
    """(context, msgid, msgid_plural) -> translation, for every usable translated entry."""
    mapping: dict[tuple[str | None, str, str], str | tuple[str, ...]] = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if all(forms):
                mapping[key] = forms
        elif entry.msgstr:
            mapping[key] = entry.msgstr
    return mapping


@pytest.mark.parametrize("code", offered_languages())
def test_every_language_offered_has_a_catalogue(code: str) -> None:
    messages_dir = LOCALE_DIR / code / "LC_MESSAGES"
    assert (messages_dir / "django.po").is_file(), f"{code}: django.po is missing"
    assert (messages_dir / "django.mo").is_file(), f"{code}: django.mo is missing (compile it)"


def test_spanish_catalogue_translates_every_string() -> None:
    po = polib.pofile(str(SPANISH_PO))

    assert po.metadata.get("Language") == "es"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")

    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert po.percent_translated() == 100

    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags and not entry.obsolete]
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert not po.metadata_is_fuzzy

    mismatched: list[str] = []
    for entry in po:
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        if entry.msgid_plural:
            # Form 0 is the singular: it may drop the count only where the English does.
            for index, text in entry.msgstr_plural.items():
                source = entry.msgid if int(index) == 0 else entry.msgid_plural
                if placeholders(text) != placeholders(source):
                    mismatched.append(f"{entry.msgid!r} [{index}] -> {text!r}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            mismatched.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert mismatched == [], "placeholders differ:\n" + "\n".join(mismatched)


def test_compiled_spanish_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(SPANISH_PO))
    mo = polib.mofile(str(SPANISH_MO))

    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")
    assert translated_mapping(mo) == translated_mapping(po), (
        "django.mo is stale: run `manage.py compilemessages -l es`"
    )


def test_pages_render_in_spanish(db: None, client: Client) -> None:
    with translation.override("es"):
        heading = translation.gettext("Sign in to Mend")
    assert heading != "Sign in to Mend"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/account/sign-in/")

    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert '<html lang="es">' in html

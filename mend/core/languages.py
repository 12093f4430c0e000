"""The languages people speak, stored as codes and named in the reader's language.

Two lists meet here. Mend's own pages speak the languages of `settings.LANGUAGES`. The
people in a case speak many more (a participant's preferred language, the language an
interpreter is booked for): those are Django's list of languages, whose names Django
translates, and a few more that programs meet often, named here.
"""

from __future__ import annotations

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

# Languages often met by programs that Django's own list does not have.
MORE: list[tuple[str, str | Promise]] = [
    ("am", _("Amharic")),
    ("ase", _("American Sign Language")),
    ("hmn", _("Hmong")),
    ("ht", _("Haitian Creole")),
    ("om", _("Oromo")),
    ("prs", _("Dari")),
    ("ps", _("Pashto")),
    ("so", _("Somali")),
    ("ti", _("Tigrinya")),
    ("tl", _("Tagalog")),
]
# Django's list marks its names for translation only; Django's catalogue translates them.
_SPOKEN: dict[str, str | Promise] = {
    **{code: name for code, name in global_settings.LANGUAGES},
    **dict(MORE),
}


# Short names people write for a language.
_ALIASES = {"asl": "ase"}


def language_name(code: str) -> str:
    """The language's name in the active language; a value that is not a code as it is
    (a language written out before Mend stored codes)."""
    name = _SPOKEN.get(code)
    return gettext(str(name)) if name is not None else code


def language_choices() -> list[tuple[str, str]]:
    """Every language, by its name in the active language."""
    names = [(code, language_name(code)) for code in _SPOKEN]
    return sorted(names, key=lambda pair: pair[1].casefold())


def is_language(code: str) -> bool:
    return code in _SPOKEN


def code_for(text: str) -> str | None:
    """The code of a language given by its code or its name in any language Mend speaks
    ("Spanish", "español", "es"); None when it is not one we know."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    for code in _SPOKEN:
        if code.casefold() == wanted:
            return code
    for ui, _ui_name in settings.LANGUAGES:
        with override(ui):
            for code in _SPOKEN:
                if language_name(code).casefold() == wanted:
                    return code
    return None


def page_language(code: str) -> str | None:
    """The language Mend's pages and messages would use for someone who speaks `code`
    (Spanish for "es"), or None when Mend does not speak it."""
    primary = code.split("-")[0].casefold()
    for ui, _ui_name in settings.LANGUAGES:
        if ui.split("-")[0] == primary:
            return ui
    return None


def page_language_or_default(code: str) -> str:
    return page_language(code) or settings.LANGUAGE_CODE


def validate_language(value: str) -> None:
    if value and not is_language(value):
        raise ValidationError(_("Choose a language from the list."), code="language")

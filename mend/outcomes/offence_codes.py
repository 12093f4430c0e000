"""National offence code lists a program may map its own offence categories to, so that
its trends can be compared with other programs' and with national figures.

- NIBRS: the offence codes of the FBI's National Incident-Based Reporting System (the
  Group A offences, and the Group B offences a referral may concern).
- Home Office: the offence groups (and the main subgroups) under which police recorded
  crime in England and Wales is published.
The codes of the Home Office list are Mend's own short names for those groups.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeList(models.TextChoices):
    NIBRS = "nibrs", _("US NIBRS offence codes")
    HOME_OFFICE = "home_office", _("Home Office offence groups (England and Wales)")


NIBRS = [
    ("09A", _("Murder and nonnegligent manslaughter")),
    ("09B", _("Negligent manslaughter")),
    ("100", _("Kidnapping or abduction")),
    ("11A", _("Rape")),
    ("11D", _("Fondling")),
    ("120", _("Robbery")),
    ("13A", _("Aggravated assault")),
    ("13B", _("Simple assault")),
    ("13C", _("Intimidation")),
    ("200", _("Arson")),
    ("210", _("Extortion or blackmail")),
    ("220", _("Burglary, breaking and entering")),
    ("23A", _("Pocket-picking")),
    ("23B", _("Purse-snatching")),
    ("23C", _("Shoplifting")),
    ("23D", _("Theft from building")),
    ("23F", _("Theft from motor vehicle")),
    ("23G", _("Theft of motor vehicle parts or accessories")),
    ("23H", _("All other larceny")),
    ("240", _("Motor vehicle theft")),
    ("250", _("Counterfeiting or forgery")),
    ("26A", _("False pretenses, swindle, confidence game")),
    ("26F", _("Identity theft")),
    ("26G", _("Hacking or computer invasion")),
    ("270", _("Embezzlement")),
    ("280", _("Stolen property offenses")),
    ("290", _("Destruction, damage or vandalism of property")),
    ("35A", _("Drug or narcotic violations")),
    ("520", _("Weapon law violations")),
    ("720", _("Animal cruelty")),
    ("90C", _("Disorderly conduct")),
    ("90D", _("Driving under the influence")),
    ("90F", _("Family offenses, nonviolent")),
    ("90G", _("Liquor law violations")),
    ("90J", _("Trespass of real property")),
    ("90Z", _("All other offenses")),
]

HOME_OFFICE = [
    ("vap_injury", _("Violence against the person: violence with injury")),
    ("vap_no_injury", _("Violence against the person: violence without injury")),
    ("vap_stalking", _("Violence against the person: stalking and harassment")),
    ("sexual", _("Sexual offences")),
    ("robbery", _("Robbery")),
    ("burglary", _("Theft offences: burglary")),
    ("vehicle", _("Theft offences: vehicle offences")),
    ("theft_person", _("Theft offences: theft from the person")),
    ("bicycle", _("Theft offences: bicycle theft")),
    ("shoplifting", _("Theft offences: shoplifting")),
    ("other_theft", _("Theft offences: all other theft offences")),
    ("damage", _("Criminal damage and arson")),
    ("drugs", _("Drug offences")),
    ("weapons", _("Possession of weapons offences")),
    ("public_order", _("Public order offences")),
    ("society", _("Miscellaneous crimes against society")),
    ("fraud", _("Fraud offences")),
]

LISTS: dict[str, list[tuple[str, Any]]] = {
    CodeList.NIBRS: NIBRS,
    CodeList.HOME_OFFICE: HOME_OFFICE,
}


def codes_of(code_list: str) -> list[tuple[str, str]]:
    return [
        (code, f"{code} {label}" if code_list == CodeList.NIBRS else str(label))
        for code, label in LISTS.get(code_list, [])
    ]


def words(value: object) -> str:
    """A code of either list in the reader's language."""
    from django.utils.translation import gettext

    for entries in LISTS.values():
        for code, label in entries:
            if code == value:
                return f"{code} {label}" if entries is NIBRS else str(label)
    return gettext("Not mapped") if value in (None, "") else str(value)

"""The starting settings for a new program.

Modelled on how police victim hubs and city programs usually work: the four common
eligibility tests, offence categories where domestic abuse and hate crime need a specialist
and sexual offences are excluded, and the full range of restorative processes. A program
changes any of these after it is created.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from mend.programs.models import (
    ConsentPurpose,
    OffenceCategory,
    ProcessType,
    RetentionRule,
)

ELIGIBLE = OffenceCategory.Handling.ELIGIBLE
SPECIALIST = OffenceCategory.Handling.SPECIALIST_ONLY
EXCLUDED = OffenceCategory.Handling.EXCLUDED

# Labels are stored in the program's own words; gettext_noop marks them for the
# catalogue so the default list reads in Spanish too.
ELIGIBILITY_CRITERIA: list[tuple[str, str]] = [
    ("reported", _("The harm was reported to the police or the referring agency.")),
    ("identifiable_parties", _("There is an identifiable harmed party and responsible party.")),
    (
        "admits_responsibility",
        _("The responsible party admits responsibility or acknowledges the basic facts."),
    ),
    ("both_willing", _("Both parties are willing to consider restorative justice.")),
]

OFFENCE_CATEGORIES: list[tuple[str, str, str]] = [
    ("criminal_damage", _("Criminal damage or vandalism"), ELIGIBLE),
    ("theft", _("Theft or shoplifting"), ELIGIBLE),
    ("burglary", _("Burglary"), ELIGIBLE),
    ("vehicle_crime", _("Vehicle crime"), ELIGIBLE),
    ("assault", _("Assault"), ELIGIBLE),
    ("public_order", _("Public order"), ELIGIBLE),
    ("harassment", _("Harassment or threats"), ELIGIBLE),
    ("neighbour_dispute", _("Neighbour or community dispute"), ELIGIBLE),
    ("school_harm", _("Harm in a school"), ELIGIBLE),
    ("fraud", _("Fraud"), ELIGIBLE),
    ("hate_crime", _("Hate crime"), SPECIALIST),
    ("domestic_abuse", _("Domestic abuse"), SPECIALIST),
    ("stalking", _("Stalking"), SPECIALIST),
    ("sexual_offence", _("Sexual offence"), EXCLUDED),
    ("other", _("Other"), ELIGIBLE),
]

PROCESS_TYPES: list[str] = [choice.value for choice in ProcessType]
CONSENT_PURPOSES: list[str] = [choice.value for choice in ConsentPurpose]
LANGUAGES: list[str] = ["en", "es"]

RETENTION_MONTHS: dict[str, int] = {
    RetentionRule.Category.CLOSED_CASE: 72,
    RetentionRule.Category.DECLINED_REFERRAL: 24,
    RetentionRule.Category.AUDIT_TRAIL: 84,
    RetentionRule.Category.EVALUATION: 36,
}

"""Which consent each part of restorative practice needs: one table for the whole product.

The stage rules (`mend.cases.rules`), the program settings (a program cannot offer a
process without the consents it needs) and the settings page all read these, so a
purpose is never recorded without something asking for it.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mend.programs.models import ConsentPurpose, ProcessType

# Processes where the parties meet; in the others they communicate through the facilitator.
DIRECT_PROCESSES = frozenset(
    {
        ProcessType.MEDIATION,
        ProcessType.CONFERENCE,
        ProcessType.CIRCLE,
        ProcessType.COMMUNITY_PANEL,
        ProcessType.POLICE_COMMUNITY,
    }
)
# The facilitator carries what one party says to the other.
INDIRECT_PROCESSES = frozenset({ProcessType.SHUTTLE, ProcessType.LETTER_EXCHANGE})

# Consent that every process needs from everyone taking part, before anything else.
ALWAYS_NEEDED = (ConsentPurpose.CONTACT,)


def purposes_for_process(process: str) -> tuple[str, ...]:
    """The consents everyone taking part in `process` must have given."""
    if process in DIRECT_PROCESSES:
        return (ConsentPurpose.CONTACT, ConsentPurpose.FACE_TO_FACE)
    if process in INDIRECT_PROCESSES:
        # Passing on what a party said is the whole of an indirect process.
        return (
            ConsentPurpose.CONTACT,
            ConsentPurpose.INDIRECT,
            ConsentPurpose.SHARE_INFORMATION,
        )
    # A preparation meeting brings one party together with staff only.
    return ALWAYS_NEEDED


def main_purpose_for_process(process: str) -> str:
    """The consent that says how the parties will communicate in `process`."""
    if process in DIRECT_PROCESSES:
        return ConsentPurpose.FACE_TO_FACE
    if process in INDIRECT_PROCESSES:
        return ConsentPurpose.INDIRECT
    return ConsentPurpose.CONTACT


# What asks for each purpose. Every purpose a program can offer must appear here with at
# least one entry (a test checks it), so none is recorded for nothing.
NEEDED_FOR: dict[str, tuple[Promise, ...]] = {
    ConsentPurpose.CONTACT: (
        _("moving a case to assessment and preparation"),
        _("recording a contact attempt with the person"),
        _("every restorative process"),
    ),
    ConsentPurpose.SHARE_INFORMATION: (
        _("shuttle mediation and letter exchange, where messages pass between the parties"),
        _("passing anything the person said to the other side"),
    ),
    ConsentPurpose.INDIRECT: (_("shuttle mediation and letter exchange"),),
    ConsentPurpose.FACE_TO_FACE: (
        _(
            "mediation, conferences, circles, community panels and police-community "
            "processes, where the parties meet"
        ),
    ),
    ConsentPurpose.EVALUATION: (
        _("satisfaction surveys and follow-up calls about the case once it has ended"),
    ),
}


def purposes_needed_by(process_types: list[str]) -> set[str]:
    """Every consent purpose that the offered processes need."""
    needed: set[str] = set(ALWAYS_NEEDED)
    for process in process_types:
        needed.update(purposes_for_process(process))
    return needed


def missing_purposes(process_types: list[str], consent_purposes: list[str]) -> list[str]:
    """What is wrong with offering these processes while asking for these consents.

    One sentence per missing purpose, naming it and the processes that need it.
    """
    problems: list[str] = []
    if ConsentPurpose.CONTACT not in consent_purposes:
        problems.append(
            _("“%(purpose)s” is always asked: every process needs it.")
            % {"purpose": ConsentPurpose.CONTACT.label}
        )
    for purpose in ConsentPurpose:
        if purpose == ConsentPurpose.CONTACT or purpose in consent_purposes:
            continue
        needing = [p for p in process_types if purpose in purposes_for_process(p)]
        if needing:
            problems.append(
                ngettext(
                    "%(processes)s needs the consent “%(purpose)s”. Ask for it, or stop "
                    "offering that process.",
                    "%(processes)s need the consent “%(purpose)s”. Ask for it, or stop "
                    "offering those processes.",
                    len(needing),
                )
                % {
                    "processes": ", ".join(str(ProcessType(p).label) for p in needing),
                    "purpose": purpose.label,
                }
            )
    return problems

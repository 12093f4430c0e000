"""Roles a person holds in a program, and what each role may do.

Views and queries ask `can(membership, "capability")` instead of comparing role names,
so a new role or a changed duty is one edit here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAM_ADMIN = "program_admin", _("Program administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    FACILITATOR = "facilitator", _("Facilitator")
    VOLUNTEER = "volunteer", _("Volunteer practitioner")
    REFERRER = "referrer", _("Referrer")
    ANALYST = "analyst", _("Analyst")


STAFF_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.VOLUNTEER})

CAPABILITIES: dict[str, frozenset[str]] = {
    # Configure the program: settings, agencies, categories, criteria, people and roles.
    "program.configure": frozenset({Role.PROGRAM_ADMIN}),
    "members.manage": frozenset({Role.PROGRAM_ADMIN}),
    # Read the program's audit trail.
    "audit.view": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Referrals and cases.
    "referrals.submit": frozenset(
        {Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.REFERRER}
    ),
    "referrals.screen": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    "referrals.follow_own": frozenset({Role.REFERRER}),
    "cases.view_all": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    "cases.view_assigned": frozenset({Role.FACILITATOR, Role.VOLUNTEER}),
    # Record consent, assessments, offers, participants; move and close cases.
    "cases.work": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR}),
    # Notes and contact attempts: volunteers too, on the cases they are assigned to.
    "cases.note": frozenset(
        {Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.VOLUNTEER}
    ),
    "cases.assign": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    "cases.override_eligibility": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    "cases.view_access_log": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Record that a no-contact or protective order permits a joint meeting, or withdraw it.
    "cases.clear_orders": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # The calendar of meetings and a private calendar feed of the meetings one leads.
    "calendar.view": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR}),
    # Keep the program's list of rooms (facilitators read it).
    "venues.manage": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Draft agreements, change their terms, record each party's agreement, reconvene, and
    # follow them up: record payments, change a term's status, renegotiate a term.
    "agreements.manage": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR}),
    # Verify community service hours on a placement's behalf, naming who confirmed them.
    "agreements.verify_hours": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Read the program's community service placements; keep the list and their links.
    "placements.view": frozenset(
        {Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.VOLUNTEER}
    ),
    "placements.manage": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # The program's own participation fees (never restitution): the case team reads them,
    # coordinators record them.
    "fees.view": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR}),
    "fees.record": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Reports and trends, counted by the rules of docs/measures.md. Analysts read only
    # aggregated figures, with small cells suppressed.
    "outcomes.view": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.ANALYST}),
    # Exact figures and the list of records behind each one (drill-down).
    "outcomes.view_records": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # Everything the program owns as a data package, with encrypted fields decrypted.
    "outcomes.export": frozenset({Role.PROGRAM_ADMIN}),
    # The same package with every person left out (no names, contacts or free text).
    "outcomes.export_person_free": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.ANALYST}),
    # Survey templates, sending and answers; re-offending follow-up checks and imports.
    "surveys.manage": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    "reoffending.record": frozenset({Role.PROGRAM_ADMIN, Role.COORDINATOR}),
    # See the program's settings (categories, criteria) without changing them.
    "program.view_settings": frozenset(
        {Role.PROGRAM_ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.VOLUNTEER}
    ),
}


def role_can(role: str, capability: str) -> bool:
    return role in CAPABILITIES.get(capability, frozenset())

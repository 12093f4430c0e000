"""Demo data for programs: the demo program, its agencies, and one account per role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from mend.accounts.models import User
from mend.accounts.services import create_user
from mend.programs import services
from mend.programs.models import Agency, Program
from mend.programs.roles import Role

PROGRAM_NAME = "Demo City Restorative Justice Program"
PROGRAM_SLUG = "demo"
POLICE = "Demo City Police Department"
PROSECUTOR = "Demo County District Attorney"

ACCOUNTS: list[tuple[str, str, str, str | None]] = [
    ("admin", "Alex Admin", Role.PROGRAM_ADMIN, None),
    ("coordinator", "Casey Coordinator", Role.COORDINATOR, None),
    ("facilitator", "Frankie Facilitator", Role.FACILITATOR, None),
    ("volunteer", "Val Volunteer", Role.VOLUNTEER, None),
    ("referrer", "Officer Rory Referrer", Role.REFERRER, POLICE),
    ("analyst", "Ana Analyst", Role.ANALYST, None),
]


@dataclass
class DemoContext:
    """What each app's demo loader receives and may add to."""

    program: Program
    users: dict[str, User] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)


def load() -> DemoContext:
    program = Program.objects.filter(slug=PROGRAM_SLUG).first()
    if program is None:
        program = services.create_program(
            name=PROGRAM_NAME,
            slug=PROGRAM_SLUG,
            time_zone="America/Denver",
            reference_prefix="DEMO",
            require_mfa=False,  # the demo is for trying things out; real programs keep it on
            by=None,
        )
        # Referrers see these on their referral pages.
        program = services.update_program_settings(
            program=program,
            by=None,
            contact_phone="(303) 555-0142",
            contact_email="team@demo.invalid",
        )
    context = DemoContext(program=program)
    for name, kind in [(POLICE, Agency.Kind.POLICE), (PROSECUTOR, Agency.Kind.PROSECUTOR)]:
        agency = program.agencies.filter(name=name).first()
        context.agencies[name] = agency or services.add_agency(
            program=program, name=name, kind=kind, by=None
        )
    for username, full_name, role, agency_name in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                username=username,
                password=settings.MEND_DEMO_PASSWORD,
                full_name=full_name,
                email=f"{username}@demo.invalid",
                by=None,
            )
        if not program.memberships.filter(user=user, ended_at__isnull=True).exists():
            services.grant_membership(
                user=user,
                program=program,
                role=role,
                agency=context.agencies[agency_name] if agency_name else None,
                # The demo facilitator leads the specialist-only cases (domestic abuse...).
                is_specialist=username == "facilitator",
                by=None,
            )
        context.users[username] = user
    return context

"""Demo data for programs: the demo program, its agencies, and one account per role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
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
    # How many of the demo's case stories to build, spread over all of them (None: all).
    case_stories: int | None = None


def load(
    *,
    slug: str = PROGRAM_SLUG,
    name: str = PROGRAM_NAME,
    reference_prefix: str = "DEMO",
    account_prefix: str = "",
) -> DemoContext:
    """The demo program, or another program built the same way (the load generator's),
    whose accounts are named account_prefix + the demo's usernames."""
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        program = services.create_program(
            name=name,
            slug=slug,
            time_zone="America/Denver",
            reference_prefix=reference_prefix,
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
    for role_name, full_name, role, agency_name in ACCOUNTS:
        username = account_prefix + role_name
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
                is_specialist=role_name == "facilitator",
                by=None,
            )
        context.users[role_name] = user
    return context


def load_apps(context: DemoContext, say: Callable[[str], None] = lambda line: None) -> None:
    """Each later app's demo data (cases, meetings...), from its demo.py, in app order."""
    for config in apps.get_app_configs():
        module = f"{config.name}.demo"
        is_ours = config.name.startswith("mend.") and config.name != "mend.programs"
        if is_ours and find_spec(module) is not None:
            demo = import_module(module)
            say(summary(demo))
            demo.load(context)


def summary(module: Any) -> str:
    """What a demo module loads: the first line of its docstring."""
    return str(module.__doc__ or module.__name__).strip().splitlines()[0]

"""The people tests sign in as: one per role in "our" program, and an outsider.

The outsider is the administrator of another program, so every refusal they meet proves
that program boundaries hold even for someone with broad powers elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mend.accounts.models import User
from mend.accounts.services import create_user
from mend.programs import services
from mend.programs.models import Agency, Program
from mend.programs.roles import Role

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    program: Program
    police: Agency
    other_program: Program
    other_agency: Agency
    users: dict[str, User]

    def __getitem__(self, persona: str) -> User:
        return self.users[persona]


PERSONAS = {
    "program_admin": Role.PROGRAM_ADMIN,
    "coordinator": Role.COORDINATOR,
    "facilitator": Role.FACILITATOR,
    "volunteer": Role.VOLUNTEER,
    "referrer": Role.REFERRER,
    "analyst": Role.ANALYST,
}


def make_user(username: str, **extra: Any) -> User:
    return create_user(
        username=username, password=PASSWORD, full_name=username.title(), by=None, **extra
    )


def build_world(*, require_mfa: bool = False) -> World:
    program = services.create_program(
        name="Riverside Restorative Justice", slug="riverside", require_mfa=require_mfa, by=None
    )
    police = services.add_agency(
        program=program, name="Riverside Police", kind=Agency.Kind.POLICE, by=None
    )
    other = services.create_program(
        name="Elsewhere Mediation Centre", slug="elsewhere", require_mfa=require_mfa, by=None
    )
    other_agency = services.add_agency(
        program=other, name="Elsewhere Police", kind=Agency.Kind.POLICE, by=None
    )
    users = {}
    for persona, role in PERSONAS.items():
        user = make_user(persona)
        services.grant_membership(
            user=user,
            program=program,
            role=role,
            agency=police if role == Role.REFERRER else None,
            by=None,
        )
        users[persona] = user
    # The outsider administers another program: the broadest powers, elsewhere.
    outsider = make_user("outsider")
    services.grant_membership(user=outsider, program=other, role=Role.PROGRAM_ADMIN, by=None)
    users["outsider"] = outsider
    return World(program, police, other, other_agency, users)

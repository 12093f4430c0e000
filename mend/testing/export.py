"""A program with records of every kind, and its export read back, for the export tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from mend.agreements.models import Agreement
from mend.cases.models import Case
from mend.outcomes.export.services import start_export
from mend.outcomes.export.tables import Variant
from mend.programs.models import Membership
from mend.testing.agreements import agreement_case, binding, carry_out, restitution, service
from mend.testing.cases import submit
from mend.testing.letters import approve, letters_case, write
from mend.testing.personas import World

# Written into encrypted fields of our program; never in a person-free package.
SECRET_NOTE = "ENCRYPTED-CANARY the harmed party fears the walk home"


def busy_program(world: World) -> Agreement:
    """Cases at several stages: consent, assessments, a meeting held, letters, and an
    agreement carried out in full (payments, hours served and verified). Another
    program has a case too."""
    from mend.cases import services as case_services

    case = agreement_case(world)
    agreement = carry_out(
        world, binding(world, case, [restitution(world, case), service(world, case)])
    )
    case_services.add_note(
        case=case, body=SECRET_NOTE, by=world["facilitator"], expected_version=None
    )
    letters = letters_case(world)
    approve(world, letters, write(world, letters, body=SECRET_NOTE))
    submit(world)
    submit(world, program=world.other_program)
    return agreement


def download(world: World, persona: str, variant: Variant, into: Path) -> Path:
    """The persona's export, unzipped into a folder; the folder."""
    membership = Membership.objects.get(user=world[persona], ended_at__isnull=True)
    data = b"".join(start_export(membership=membership, variant=variant, by=world[persona]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
    return into


def cases_of(world: World) -> list[Case]:
    return list(Case.objects.filter(program=world.program))

"""A program with records of every kind, and its export read back, for the export tests."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.utils import timezone

from mend.agreements.models import Agreement, Placement, Signature
from mend.cases.models import Case
from mend.outcomes.export.services import start_export
from mend.outcomes.export.tables import Variant
from mend.programs.models import Invitation, Membership
from mend.testing.agreements import agreement_case, binding, carry_out, restitution, service
from mend.testing.cases import submit
from mend.testing.letters import approve, letters_case, write
from mend.testing.personas import World

# Written into encrypted fields of our program; never in a person-free package.
SECRET_NOTE = "ENCRYPTED-CANARY the harmed party fears the walk home"
# Secrets of every kind the program holds; never in any package.
SECRET_CANARIES = {
    "invitation": "a" * 63 + "1",
    "placement link": "b" * 63 + "2",
    "api key": "c" * 63 + "3",
    "webhook": "WEBHOOK-SIGNING-SECRET-CANARY",
    "scan": "sealed/SCAN-NAME-CANARY.pdf",
}


def secrets_kept(world: World, agreement: Agreement) -> None:
    """An invitation, a placement link, an API key and a webhook, with canary secrets.
    Partner models by label: the outcomes app never imports partners."""
    admin = world["program_admin"]
    Invitation.objects.create(
        program=world.program,
        email="invited@example.invalid",
        full_name="Ivy Invited",
        role="facilitator",
        token_hash=SECRET_CANARIES["invitation"],
        valid_until=timezone.now() + timedelta(days=7),
        created_by=admin,
    )
    assert Placement.objects.filter(program=world.program).update(
        verify_token_hash=SECRET_CANARIES["placement link"]
    )
    apps.get_model("partners.ApiKey").objects.create(
        program=world.program,
        agency=world.police,
        name="Police records system",
        prefix="canary01",
        hashed_secret=SECRET_CANARIES["api key"],
        scopes=["referrals:write"],
        created_by=admin,
    )
    apps.get_model("partners.WebhookEndpoint").objects.create(
        program=world.program,
        agency=world.police,
        url="https://police.example/hook",
        secret=SECRET_CANARIES["webhook"],
        created_by=admin,
    )
    assert Signature.objects.filter(agreement=agreement).update(scan_name=SECRET_CANARIES["scan"])


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
    secrets_kept(world, agreement)
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

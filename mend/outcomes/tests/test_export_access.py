"""Who may download which export, from which program, and that each download is on record."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from mend.cases.models import Case
from mend.core.audit_sentences import describe
from mend.core.models import AuditEvent
from mend.testing.cases import CANARY_PHONE, submit
from mend.testing.personas import World

FULL = reverse("outcomes:export_full")
PERSON_FREE = reverse("outcomes:export_person_free")


def unzipped(response: object) -> dict[str, bytes]:
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_analyst_downloads_the_person_free_export_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    submit(world)
    analyst = client_for("analyst")
    assert analyst.post(FULL).status_code == 403
    response = analyst.post(PERSON_FREE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    files = unzipped(response)
    assert "datapackage.json" in files
    assert not any(CANARY_PHONE.encode() in content for content in files.values())
    page = analyst.get(reverse("outcomes:export"))
    assert page.status_code == 200
    assert PERSON_FREE.encode() in page.content
    assert FULL.encode() not in page.content


def test_the_administrator_downloads_the_full_export_with_contact_details(
    world: World, client_for: Callable[[str], Client]
) -> None:
    submit(world)
    admin = client_for("program_admin")
    assert FULL.encode() in admin.get(reverse("outcomes:export")).content
    files = unzipped(admin.post(FULL))
    assert CANARY_PHONE.encode() in files["data/cases.person.csv"]


def test_a_coordinator_may_not_download_the_full_export(
    world: World, client_for: Callable[[str], Client]
) -> None:
    assert client_for("coordinator").post(FULL).status_code == 403
    assert client_for("coordinator").post(PERSON_FREE).status_code == 200


def test_another_programs_administrator_gets_their_own_program_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    submit(world)
    submit(world, program=world.other_program)
    files = unzipped(client_for("outsider").post(FULL))
    described = json.loads(files["datapackage.json"])
    assert described["name"] == "mend-elsewhere-full"
    programs = files["data/programs.program.csv"].decode().splitlines()
    assert len(programs) == 2 and programs[1].split(",")[0] == str(world.other_program.pk)
    exported_cases = {
        line.split(",")[0] for line in files["data/cases.case.csv"].decode().splitlines()[1:]
    }
    assert exported_cases == {
        str(pk)
        for pk in Case.objects.filter(program=world.other_program).values_list("pk", flat=True)
    }


def test_facilitators_and_referrers_may_download_neither(
    world: World, client_for: Callable[[str], Client]
) -> None:
    for persona in ("facilitator", "volunteer", "referrer"):
        client = client_for(persona)
        assert client.post(FULL).status_code == 403, persona
        assert client.post(PERSON_FREE).status_code == 403, persona
        assert client.get(reverse("outcomes:export")).status_code == 403, persona


def test_every_download_is_audited_with_who_and_which_variant(
    world: World, client_for: Callable[[str], Client]
) -> None:
    unzipped(client_for("program_admin").post(FULL))
    unzipped(client_for("analyst").post(PERSON_FREE))
    events = AuditEvent.objects.filter(action="outcomes.exported").order_by("id")
    assert [(e.actor, e.details["variant"], e.program) for e in events] == [
        (world["program_admin"], "full", world.program),
        (world["analyst"], "person_free", world.program),
    ]
    assert "person-free export" in str(describe(events[1]))
    refused = client_for("analyst").post(FULL)
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="outcomes.exported").count() == 2
    assert AuditEvent.objects.filter(action="access.denied", actor=world["analyst"]).exists()


def test_the_downloads_refuse_a_get(world: World, client_for: Callable[[str], Client]) -> None:
    assert client_for("program_admin").get(FULL).status_code == 405
    assert client_for("program_admin").get(PERSON_FREE).status_code == 405


def test_only_roles_that_read_every_case_decrypted_may_download_the_full_export() -> None:
    from mend.outcomes.export.services import READS_EVERYTHING
    from mend.programs.roles import Role, role_can

    for role in Role:
        if role_can(role, "outcomes.export"):
            assert role_can(role, READS_EVERYTHING), role
        # Whoever may have the full export may have the person-free one.
        if role_can(role, "outcomes.export"):
            assert role_can(role, "outcomes.export_person_free"), role

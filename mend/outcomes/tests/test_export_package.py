"""The exported package: valid by the standard, complete, one program's, decrypted only in
the full variant, and never holding a secret."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from frictionless import Package, validate

from mend.agreements.models import Payment
from mend.cases.models import Case, ConsentEntry, Participant, Person
from mend.core.fields import EncryptedTextField
from mend.core.models import AuditEvent
from mend.outcomes.export.package import resource_name
from mend.outcomes.export.tables import TABLES, Variant, columns, rows
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE
from mend.testing.export import SECRET_CANARIES, SECRET_NOTE, busy_program, download
from mend.testing.personas import PASSWORD, World


def read(folder: Path, label: str) -> list[dict[str, str]]:
    with (folder / "data" / f"{resource_name(label)}.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def everything(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.*")))


class Exports(dict[Variant, Path]):
    """Each variant downloaded the first time a test asks for it."""

    def __init__(self, world: World, folder: Path) -> None:
        super().__init__()
        self.world, self.folder = world, folder

    def __missing__(self, variant: Variant) -> Path:
        persona = "program_admin" if variant == Variant.FULL else "analyst"
        self[variant] = download(self.world, persona, variant, self.folder / variant.value)
        return self[variant]


@pytest.fixture
def exported(world: World, tmp_path: Path) -> Exports:
    busy_program(world)
    return Exports(world, tmp_path)


def _report(folder: Path) -> Any:
    return validate(str(folder / "datapackage.json"))


@pytest.mark.parametrize("variant", list(Variant))
def test_the_package_is_valid_by_the_frictionless_standard(
    exported: dict[Variant, Path], variant: Variant
) -> None:
    report = _report(exported[variant])
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "message"])


@pytest.mark.parametrize("variant", list(Variant))
def test_every_table_read_back_has_as_many_rows_as_the_database(
    world: World, exported: dict[Variant, Path], variant: Variant, tmp_path: Path
) -> None:
    # A fresh download: each export adds its own audit row.
    persona = "program_admin" if variant == Variant.FULL else "analyst"
    folder = download(world, persona, variant, tmp_path / "again")
    package = Package(str(folder / "datapackage.json"))
    for table in TABLES:
        read_back = package.get_resource(resource_name(table.label)).read_rows()
        assert len(read_back) == rows(table, world.program).count(), table.label
    # The scope of the tables most counted, said again by hand.
    counted = {
        "cases.Case": Case.objects.filter(program=world.program).count(),
        "cases.Participant": Participant.objects.filter(case__program=world.program).count(),
        "cases.ConsentEntry": ConsentEntry.objects.filter(
            participant__case__program=world.program
        ).count(),
        "agreements.Payment": Payment.objects.filter(
            term__agreement__case__program=world.program
        ).count(),
        "core.AuditEvent": AuditEvent.objects.filter(program=world.program).count(),
    }
    for label, count in counted.items():
        assert count > 0, label
        assert len(read(folder, label)) == count, label


def test_the_busy_program_fills_the_tables_that_matter(exported: dict[Variant, Path]) -> None:
    for label in (
        "cases.Person",
        "cases.Referral",
        "cases.SafetyAssessment",
        "cases.Note",
        "processes.Meeting",
        "processes.LetterVersion",
        "agreements.Term",
        "agreements.ServiceSession",
        "agreements.Signature",
        "accounts.User",
        "programs.Membership",
    ):
        assert read(exported[Variant.FULL], label), label


@pytest.mark.parametrize("variant", list(Variant))
def test_another_programs_rows_never_appear(
    world: World, exported: dict[Variant, Path], variant: Variant
) -> None:
    folder = exported[variant]
    assert {r["id"] for r in read(folder, "programs.Program")} == {str(world.program.pk)}
    other = world.other_program
    theirs = {
        "cases.Case": Case.objects.filter(program=other),
        "cases.Person": Person.objects.filter(program=other),
        "cases.Participant": Participant.objects.filter(case__program=other),
        "core.AuditEvent": AuditEvent.objects.filter(program=other),
    }
    for label, found in theirs.items():
        their_ids = {str(pk) for pk in found.values_list("pk", flat=True)}
        assert their_ids, label
        assert not their_ids & {r["id"] for r in read(folder, label)}, label
    for row in read(folder, "programs.Membership"):
        assert row["program_id"] == str(world.program.pk)
    users = {r["id"] for r in read(folder, "accounts.User")}
    assert str(world["outsider"].pk) not in users
    assert str(world["analyst"].pk) in users


def test_encrypted_fields_are_decrypted_in_the_full_package(
    world: World, exported: dict[Variant, Path]
) -> None:
    folder = exported[Variant.FULL]
    people = read(folder, "cases.Person")
    assert CANARY_PHONE in {p["phone"] for p in people}
    assert CANARY_ADDRESS in {p["address"] for p in people}
    assert SECRET_NOTE in {n["body"] for n in read(folder, "cases.Note")}
    assert "Pay for the bicycle's repair." in {
        t["description"] for t in read(folder, "agreements.Term")
    }
    # Decimals as stored, dates in ISO form.
    amounts = {t["amount"] for t in read(folder, "agreements.Term")}
    assert "120.00" in amounts
    born = {p["date_of_birth"] for p in people}
    assert "1980-05-01" in born


def test_the_person_free_package_has_no_encrypted_field_and_no_personal_detail(
    world: World, exported: dict[Variant, Path]
) -> None:
    folder = exported[Variant.PERSON_FREE]
    described = json.loads((folder / "datapackage.json").read_text())
    by_name = {r["name"]: r for r in described["resources"]}
    for table in TABLES:
        fields = {f["name"] for f in by_name[resource_name(table.label)]["schema"]["fields"]}
        for field in table.model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                assert field.attname not in fields, f"{table.label}.{field.name}"
    text = everything(folder)
    for personal in (
        CANARY_ADDRESS,
        CANARY_EMAIL,
        CANARY_PHONE,
        SECRET_NOTE,
        "Hana0",
        "Harmed",
        "Rory0",
        "1980-05-01",
        "PC Test",
        "A bicycle was taken",
        "Pay for the bicycle's repair.",
        "Pat Placement",
        "pat@foodbank.example",
        "12 Market Street",
        "Program_Admin",  # a user's full name
        "Ivy Invited",
        "invited@example.invalid",
    ):
        assert personal not in text, personal
    # No value of any encrypted field, whatever the table.
    checked = 0
    for table in TABLES:
        encrypted = [
            f.attname
            for f in table.model._meta.concrete_fields
            if isinstance(f, EncryptedTextField)
        ]
        if not encrypted:
            continue
        for values in rows(table, world.program).values_list(*encrypted):
            for value in values:
                if value and len(str(value)) >= 8:
                    assert str(value) not in text, f"{table.label}: {value!r}"
                    checked += 1
    assert checked > 10
    # User names equal role codes in the test world, so look at the columns instead.
    user_columns = set(read(folder, "accounts.User")[0])
    assert not user_columns & {"username", "first_name", "last_name", "email", "full_name"}
    assert not set(read(folder, "core.AuditEvent")[0]) & {"actor_label", "details"}
    # What analysts count by is still there.
    cases = read(folder, "cases.Case")
    assert cases and all(c["stage"] and "reference" not in c for c in cases)
    assert {t["amount"] for t in read(folder, "agreements.Term")} >= {"120.00"}


@pytest.mark.parametrize("variant", list(Variant))
def test_secrets_are_in_no_package(
    world: World, exported: dict[Variant, Path], variant: Variant
) -> None:
    folder = exported[variant]
    text = everything(folder)
    assert world["program_admin"].password not in text
    assert PASSWORD not in text
    for kind, secret in SECRET_CANARIES.items():
        assert secret not in text, kind
    # The records that held them are there, without them.
    assert read(folder, "partners.ApiKey") and read(folder, "partners.WebhookEndpoint")
    assert read(folder, "programs.Invitation")
    for header in ("password", "token_hash", "hashed_secret", "verify_token_hash", "secret"):
        for table in TABLES:
            names = [f.attname for f in columns(table.model, variant)]
            assert header not in names, f"{table.label}.{header}"


def test_the_package_describes_every_column_with_its_type_and_keys(
    exported: dict[Variant, Path],
) -> None:
    described = json.loads((exported[Variant.FULL] / "datapackage.json").read_text())
    assert described["name"] == "mend-riverside-full"
    assert described["created"]
    by_name = {r["name"]: r for r in described["resources"]}
    payments = by_name["agreements.payment"]["schema"]
    types = {f["name"]: f["type"] for f in payments["fields"]}
    assert types["amount"] == "number"
    assert types["paid_on"] == "date"
    assert types["recorded_at"] == "datetime"
    assert types["overpayment"] == "boolean"
    assert types["term_id"] == "integer"
    assert payments["primaryKey"] == ["id"]
    assert {
        "fields": ["term_id"],
        "reference": {"resource": "agreements.term", "fields": ["id"]},
    } in payments["foreignKeys"]
    case_fields = {f["name"]: f for f in by_name["cases.case"]["schema"]["fields"]}
    assert case_fields["alert"]["type"] == "object"
    assert case_fields["stage"]["title"]

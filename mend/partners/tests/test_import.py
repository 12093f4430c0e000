"""CSV import of referrals: a dry-run preview, then all-or-nothing or only the valid rows,
never twice the same referral."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases.models import Referral
from mend.core.models import AuditEvent
from mend.partners import imports
from mend.testing.personas import World

URL = "/referrals/import/"
DAY = (timezone.localdate() - timedelta(days=3)).isoformat()
HEADER = (
    "incident_reference,incident_date,offence_category,justice_stage,referrer_name,"
    "harmed_1_given_name,harmed_1_family_name,harmed_1_rj_offered_on,"
    "harmed_1_consents_to_contact,responsible_1_given_name,responsible_1_family_name,"
    "responsible_1_admits_responsibility"
)
GOOD_1 = f"CR/1,{DAY},theft,pre_charge,PC Smith,Hana,Harmed,{DAY},yes,Rory,Resp,no"
GOOD_2 = f"CR/2,{DAY},theft,pre_charge,PC Smith,Ida,Harmed,,,,,"
BAD = "CR/3,2026-13-01,nonsense,pre_charge,PC Smith,,Harmed,,maybe,,,"
MIXED = "\n".join([HEADER, GOOD_1, BAD, GOOD_2]) + "\n"


def csv_file(text: str | bytes, name: str = "referrals.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client: Client, world: World, text: str | bytes, agency: int | None = None) -> str:
    response = client.post(
        URL, {"agency": agency or world.police.pk, "file": csv_file(text)}, follow=False
    )
    return unescape(response.content.decode())


def payload_of(page: str) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def coordinator_client(client_for: Callable[[str], Client]) -> Client:
    return client_for("coordinator")


def counts(page: str) -> dict[str, str]:
    """The preview's counts, label to number (a list, so no sentence needs a plural)."""
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))


def test_dry_run_shows_each_rows_errors_and_saves_nothing(
    world: World, coordinator_client: Client
) -> None:
    response = coordinator_client.post(
        URL, {"agency": world.police.pk, "file": csv_file("\ufeff" + MIXED)}
    )

    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert counts(page) == {
        "Rows to import": "2",
        "Already imported (skipped)": "0",
        "Rows with errors": "1",
    }
    assert not Referral.objects.exists()
    preview = imports.preview(program=world.program, agency=world.police, text=MIXED)
    assert [row.status for row in preview.rows] == ["valid", "invalid", "valid"]
    errors = {(error.row, error.field): error.message for error in preview.errors}
    assert set(errors) == {
        (3, "incident_date"),
        (3, "offence_category"),
        (3, "harmed_1_given_name"),
        (3, "harmed_1_consents_to_contact"),
    }
    assert errors[(3, "incident_date")] == "This date does not exist."
    assert "theft" in errors[(3, "offence_category")]
    assert errors[(3, "harmed_1_given_name")] == "This field is required."
    for (_row, field), message in errors.items():
        assert f"<code>{field}</code>: {message}" in page


def test_rules_are_the_apis(world: World) -> None:
    # The API refuses consent to contact without the date RJ was offered; so does the file.
    text = f"{HEADER}\nCR/9,{DAY},theft,pre_charge,PC Smith,Hana,Harmed,,yes,,,\n"
    preview = imports.preview(program=world.program, agency=world.police, text=text)
    assert preview.rows[0].status == "invalid"
    assert preview.errors[0].field == "harmed_1"
    assert "rj_offered_on" in preview.errors[0].message


def test_all_or_nothing_is_refused_when_any_row_is_invalid(
    world: World, coordinator_client: Client
) -> None:
    page = upload(coordinator_client, world, MIXED)

    response = coordinator_client.post(URL, {"payload": payload_of(page), "mode": "all"})

    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="referrals.imported").exists()


def test_only_valid_rows_imports_exactly_those(world: World, coordinator_client: Client) -> None:
    page = upload(coordinator_client, world, MIXED)

    response = coordinator_client.post(URL, {"payload": payload_of(page), "mode": "valid"})

    assert response.status_code == 302
    referrals = Referral.objects.order_by("incident_reference")
    assert [r.incident_reference for r in referrals] == ["CR/1", "CR/2"]
    assert {r.source for r in referrals} == {Referral.Source.IMPORT}
    assert {r.agency_id for r in referrals} == {world.police.pk}
    assert {r.submitted_by_id for r in referrals} == {world["coordinator"].pk}
    first = referrals[0]
    harmed = first.case.participants.get(role="harmed")
    assert harmed.offers.get().response == "interested"
    assert first.case.participants.get(role="responsible").admits_responsibility is False
    event = AuditEvent.objects.get(action="referrals.imported")
    assert event.actor == world["coordinator"]
    assert event.details["imported"] == "2"
    assert event.details["skipped_duplicates"] == "0"
    assert event.details["invalid"] == "1"
    assert AuditEvent.objects.filter(action="referral.received").count() == 2


def test_all_or_nothing_imports_a_clean_file_and_reimporting_creates_no_duplicates(
    world: World, coordinator_client: Client
) -> None:
    clean = "\n".join([HEADER, GOOD_1, GOOD_2, GOOD_1])  # the same referral twice

    page = upload(coordinator_client, world, clean)
    assert counts(page)["Rows to import"] == "2"
    assert counts(page)["Already imported (skipped)"] == "1"
    response = coordinator_client.post(URL, {"payload": payload_of(page), "mode": "all"})
    assert response.status_code == 302
    assert Referral.objects.count() == 2

    page = upload(coordinator_client, world, clean)
    assert counts(page)["Rows to import"] == "0"
    assert counts(page)["Already imported (skipped)"] == "3"
    assert 'name="payload"' not in page  # nothing to import: no Import button
    # Confirming an earlier preview of the same file again changes nothing either.
    again = imports.sign(
        program=world.program, agency=world.police, by=world["coordinator"], text=clean
    )
    response = coordinator_client.post(URL, {"payload": again, "mode": "all"})
    assert response.status_code == 302
    assert Referral.objects.count() == 2
    last = AuditEvent.objects.filter(action="referrals.imported").latest("pk")
    assert last.details["imported"] == "0"
    assert last.details["skipped_duplicates"] == "3"


def test_a_tampered_payload_is_refused(world: World, coordinator_client: Client) -> None:
    page = upload(coordinator_client, world, "\n".join([HEADER, GOOD_1]))
    token = payload_of(page)
    forged = signing.dumps(
        {
            "program": world.program.pk,
            "agency": world.police.pk,
            "user": world["coordinator"].pk,
            "csv": "\n".join([HEADER, GOOD_1]),
        },
        salt="not-ours",
        compress=True,
    )

    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x"):
        response = coordinator_client.post(URL, {"payload": bad, "mode": "all"})
        assert response.status_code == 400
        assert "expired or was changed" in unescape(response.content.decode())
    assert not Referral.objects.exists()


def test_a_payload_signed_for_someone_else_is_refused(
    world: World, client_for: Callable[[str], Client]
) -> None:
    token = imports.sign(
        program=world.program,
        agency=world.police,
        by=world["coordinator"],
        text="\n".join([HEADER, GOOD_1]),
    )

    response = client_for("program_admin").post(URL, {"payload": token, "mode": "all"})

    assert response.status_code == 400
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + ",favourite_colour\n" + GOOD_1 + ",blue\n", "Unknown columns: favourite_colour."),
        ("incident_reference\nCR/1\n", "Missing columns: incident_date"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        ("just some words\x00 and a NUL", "This is not a CSV file."),
        ("", "The submitted file is empty."),
        ("\n\n", "The file is empty. Its first line must name the columns."),
        (b"a" * (imports.MAX_BYTES + 1), "larger than 512 KiB"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_a_clear_message(
    world: World, coordinator_client: Client, content: str | bytes, message: str
) -> None:
    data = content.encode() if isinstance(content, str) else content
    response = coordinator_client.post(URL, {"agency": world.police.pk, "file": csv_file(data)})

    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Referral.objects.exists()


def test_permissions(world: World, client_for: Callable[[str], Client]) -> None:
    assert reverse("partners:import_referrals") == URL
    assert client_for("coordinator").get(URL).status_code == 200
    facilitator = client_for("facilitator")
    assert facilitator.get(URL).status_code == 403
    response = facilitator.post(URL, {"agency": world.police.pk, "file": csv_file(MIXED)})
    assert response.status_code == 403

    outsider = client_for("outsider")
    page = outsider.get(URL).content.decode()
    assert world.other_agency.name in page
    assert world.police.name not in page
    response = outsider.post(URL, {"agency": world.police.pk, "file": csv_file(MIXED)})
    assert response.status_code == 400
    assert 'name="payload"' not in response.content.decode()
    # A preview signed for our program does not work in the outsider's.
    token = imports.sign(
        program=world.program,
        agency=world.police,
        by=world["outsider"],
        text="\n".join([HEADER, GOOD_1]),
    )
    assert outsider.post(URL, {"payload": token, "mode": "all"}).status_code == 400
    assert not Referral.objects.exists()


def test_a_row_with_more_values_than_columns_is_invalid(world: World) -> None:
    text = f"{HEADER}\n{GOOD_1},surplus\n{GOOD_2}\n"

    preview = imports.preview(program=world.program, agency=world.police, text=text)

    assert [row.status for row in preview.rows] == ["invalid", "valid"]
    assert preview.errors[0].row == 2
    assert "more values than there are columns" in preview.errors[0].message

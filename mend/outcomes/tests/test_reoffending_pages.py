"""The re-offending pages: the queue of due checks, recording a result, importing a file
and deciding its matches, the windows; another program's records are a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.outcomes.models import IncidentImport, MatchSuggestion, OutcomeSettings, ReoffendingCheck
from mend.testing.personas import World
from mend.testing.reoffending import (
    checks_of,
    completed_case,
    csv_bytes,
    rename,
    responsible_party,
)

pytestmark = pytest.mark.django_db

Clients = Callable[[str], Client]
CLOSED = datetime(2025, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def checks(world: World) -> dict[int, ReoffendingCheck]:
    participant = responsible_party(completed_case(world, closed_at=CLOSED))
    rename(participant, "José", "García", date(1999, 4, 12))
    return checks_of(participant)


def _sent(version: int = 1, **fields: object) -> dict[str, object]:
    return {"version": version, "submission": new_token(), **fields}


def test_the_queue_lists_due_checks_without_a_result(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    ReoffendingCheck.objects.filter(pk=checks[6].pk).update(result="not_checked")
    page = client_for("coordinator").get(reverse("outcomes:reoffending"))
    body = page.content.decode()
    assert page.status_code == 200
    # Due 10 July 2025 but answered; due 10 January 2026: listed; due 2027: not yet.
    assert f'id="check-{checks[6].pk}"' not in body
    assert f'id="check-{checks[12].pk}"' in body
    assert f'id="check-{checks[24].pk}"' not in body
    assert "any new offence recorded within 6 months of completion: 0 of 1 person" in body


def test_a_coordinator_records_a_new_offence_and_it_reaches_the_later_open_checks(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    url = reverse("outcomes:reoffending_check", args=[checks[6].pk])
    response = client_for("coordinator").post(
        url,
        _sent(result="new_offence", offence_date="2025-05-02", source_reference="CR/2025/12"),
    )
    assert response.status_code == 302
    now = checks_of(checks[6].participant)
    assert [now[m].result for m in (6, 12, 24)] == ["new_offence"] * 3
    assert now[24].offence_date == date(2025, 5, 2)
    event = AuditEvent.objects.get(action="reoffending.result_recorded")
    assert event.details["also"] == "12,24"


@pytest.mark.parametrize(
    ("check_months", "fields", "field", "message"),
    [
        (
            6,
            {"result": "new_offence", "offence_date": "2025-08-01", "source_reference": "R"},
            "offence_date",
            "no later than 2025-07-10",
        ),
        (6, {"result": "new_offence", "offence_date": "2025-05-01"}, "source_reference", "Give"),
        (6, {"result": "new_offence", "source_reference": "R"}, "offence_date", "Give the date"),
        (24, {"result": "no_new_offence"}, "result", "runs until 2027-01-10"),
    ],
)
def test_a_result_the_rules_refuse_gets_a_field_message_and_changes_nothing(
    world: World,
    checks: dict[int, ReoffendingCheck],
    client_for: Clients,
    check_months: int,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    check = checks[check_months]
    url = reverse("outcomes:reoffending_check", args=[check.pk])
    response = client_for("coordinator").post(url, _sent(**fields))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ReoffendingCheck.objects.exclude(result="").exists()


def test_a_result_form_opened_on_an_old_version_is_refused(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    url = reverse("outcomes:reoffending_check", args=[checks[6].pk])
    response = client_for("coordinator").post(url, _sent(version=9, result="not_checked"))
    assert response.status_code == 409
    assert not ReoffendingCheck.objects.exclude(result="").exists()


def test_importing_a_file_then_confirming_a_match_records_the_offence(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    coordinator = client_for("coordinator")
    upload = SimpleUploadedFile(
        "incidents.csv", csv_bytes("Jose,Garcia,1999-04-12,2025-03-01,CR/5,Theft"), "text/csv"
    )
    response = coordinator.post(
        reverse("outcomes:reoffending_imports"), {"file": upload, "submission": new_token()}
    )
    batch = IncidentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:reoffending_import", args=[batch.pk])
    suggestion = MatchSuggestion.objects.get()
    page = coordinator.get(response["Location"])
    assert f'id="suggestion-{suggestion.pk}"' in page.content.decode()
    assert not ReoffendingCheck.objects.exclude(result="").exists()
    decided = coordinator.post(
        reverse("outcomes:reoffending_decide", args=[suggestion.pk]),
        _sent(decision="confirm"),
    )
    assert decided.status_code == 302
    assert ReoffendingCheck.objects.filter(result="new_offence").count() == 3


def test_a_bad_file_shows_line_numbered_problems_and_imports_nothing(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    upload = SimpleUploadedFile(
        "incidents.csv", csv_bytes("Jose,Garcia,1999-04-12,yesterday,CR/5,"), "text/csv"
    )
    response = client_for("coordinator").post(
        reverse("outcomes:reoffending_imports"), {"file": upload, "submission": new_token()}
    )
    assert response.status_code == 400
    assert "Line 2, incident date: write the date as YYYY-MM-DD" in response.content.decode()
    assert not IncidentImport.objects.exists()


def test_another_programs_checks_imports_and_matches_are_a_404(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    batch = IncidentImport.objects.create(program=world.program, imported_by=world["coordinator"])
    incident = batch.incidents.create(
        line=2,
        given_name="José",
        family_name="García",
        incident_date=date(2025, 3, 1),
        incident_reference="CR/1",
    )
    suggestion = MatchSuggestion.objects.create(
        incident=incident, participant=checks[6].participant, confidence="high"
    )
    outsider = client_for("outsider")
    urls = [
        reverse("outcomes:reoffending_check", args=[checks[6].pk]),
        reverse("outcomes:reoffending_import", args=[batch.pk]),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404
    assert outsider.post(urls[0], _sent(result="not_checked")).status_code == 404
    decide = reverse("outcomes:reoffending_decide", args=[suggestion.pk])
    assert outsider.post(decide, _sent(decision="confirm")).status_code == 404
    assert not ReoffendingCheck.objects.exclude(result="").exists()
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.PENDING


def test_an_administrator_changes_the_windows_and_checks_are_added(
    world: World, checks: dict[int, ReoffendingCheck], client_for: Clients
) -> None:
    admin = client_for("program_admin")
    url = reverse("outcomes:reoffending_windows")
    refused = admin.post(url, _sent(follow_up_months="6, 6, 200"))
    assert refused.status_code == 400
    assert "from 1 to 120, each once" in " ".join(
        refused.context["form"].errors["follow_up_months"]
    )
    saved = admin.post(url, _sent(follow_up_months="36; 6, 12, 24"))
    assert saved.status_code == 302
    assert OutcomeSettings.objects.get().follow_up_months == [6, 12, 24, 36]
    assert sorted(checks_of(checks[6].participant)) == [6, 12, 24, 36]

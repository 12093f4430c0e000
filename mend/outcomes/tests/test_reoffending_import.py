"""Importing police incidents: suggestions with a confidence, nothing recorded until a
coordinator confirms, and a bad file imports nothing, with line-numbered messages."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from mend.cases.models import Participant
from mend.core.models import AuditEvent
from mend.outcomes.models import ImportedIncident, IncidentImport, MatchSuggestion, ReoffendingCheck
from mend.outcomes.reoffending_import import (
    confirm_suggestion,
    folded,
    import_incidents,
    read_rows,
    reject_suggestion,
)
from mend.testing.personas import World
from mend.testing.reoffending import (
    checks_of,
    completed_case,
    csv_bytes,
    rename,
    responsible_party,
)

pytestmark = pytest.mark.django_db

BORN = date(1999, 4, 12)
# Closed on 10 January 2025: windows end 10 July 2025, 10 January 2026, 10 January 2027.
CLOSED = datetime(2025, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def rory(world: World) -> Participant:
    participant = responsible_party(completed_case(world, closed_at=CLOSED))
    rename(participant, "José", "García", BORN)
    return participant


def _import(world: World, *lines: str, **options: object) -> IncidentImport:
    return import_incidents(
        program=world.program,
        upload=io.BytesIO(csv_bytes(*lines, **options)),  # type: ignore[arg-type]
        file_name="incidents.csv",
        by=world["coordinator"],
    )


def _suggestions(batch: IncidentImport) -> dict[str, str]:
    """incident reference -> confidence."""
    return {
        s.incident.incident_reference: s.confidence
        for s in MatchSuggestion.objects.filter(incident__batch=batch)
    }


def test_matches_are_suggested_high_medium_and_low_by_name_and_date_of_birth(
    world: World, rory: Participant
) -> None:
    batch = _import(
        world,
        "José,García,1999-04-12,2025-03-01,EXACT,Theft",
        # Case and accents aside, one letter off: medium.
        "jose,GARCIA,04/12/1999,2025-03-02,ACCENTS,",
        "Jose,Garcla,1999-04-12,2025-03-03,ONE-EDIT,",
        "García,José,1999-04-12,2025-03-04,SWAPPED,",
        # The same name, another or no date of birth: low.
        "José,García,1988-01-01,2025-03-05,NAME-ONLY,",
        "José,García,,2025-03-06,NO-BIRTH,",
        # Same date of birth, another name: no suggestion.
        "Maria,Lopez,1999-04-12,2025-03-07,OTHER,",
        "Josefina,Garcia,1999-04-12,2025-03-08,TWO-EDITS,",
    )
    assert _suggestions(batch) == {
        "EXACT": "high",
        "ACCENTS": "high",
        "ONE-EDIT": "medium",
        "SWAPPED": "medium",
        "NAME-ONLY": "low",
        "NO-BIRTH": "low",
    }
    assert batch.incidents.count() == 8
    # Nothing is recorded by the import itself.
    assert not ReoffendingCheck.objects.exclude(result="").exists()
    assert AuditEvent.objects.filter(action="reoffending.incidents_imported").count() == 1


def test_incidents_before_completion_or_after_the_longest_window_are_not_suggested(
    world: World,
) -> None:
    # Closed on 10 January 2023: the 24-month window ended on 10 January 2025.
    early = responsible_party(
        completed_case(world, closed_at=datetime(2023, 1, 10, 12, tzinfo=UTC))
    )
    rename(early, "Ana", "Ruiz", BORN)
    batch = _import(
        world,
        "Ana,Ruiz,1999-04-12,2023-01-10,ON-THE-DAY,",
        "Ana,Ruiz,1999-04-12,2022-12-01,BEFORE,",
        "Ana,Ruiz,1999-04-12,2025-01-11,AFTER,",
        "Ana,Ruiz,1999-04-12,2025-01-10,LAST-DAY,",
        "Ana,Ruiz,1999-04-12,2023-01-11,FIRST-DAY,",
    )
    assert _suggestions(batch) == {"LAST-DAY": "high", "FIRST-DAY": "high"}


def test_only_parties_with_a_check_open_are_suggested(world: World, rory: Participant) -> None:
    ReoffendingCheck.objects.filter(participant=rory).update(result="not_checked")
    batch = _import(world, "José,García,1999-04-12,2025-03-01,EXACT,")
    assert _suggestions(batch) == {}


def test_confirming_records_a_new_offence_on_the_open_checks_whose_window_holds_the_date(
    world: World, rory: Participant
) -> None:
    batch = _import(world, "José,García,1999-04-12,2025-09-01,CR/2025/77,Assault")
    suggestion = MatchSuggestion.objects.get(incident__batch=batch)
    written = confirm_suggestion(suggestion=suggestion, by=world["coordinator"], expected_version=1)
    assert sorted(check.months for check in written) == [12, 24]
    checks = checks_of(rory)
    assert checks[6].result == ""  # 1 September is after the 6-month window
    for months in (12, 24):
        assert checks[months].result == ReoffendingCheck.Result.NEW_OFFENCE
        assert checks[months].offence_date == date(2025, 9, 1)
        assert checks[months].source_reference == "CR/2025/77"
        assert checks[months].incident == suggestion.incident
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.CONFIRMED
    assert AuditEvent.objects.filter(action="reoffending.match_confirmed").count() == 1
    # Deciding twice is refused.
    with pytest.raises(ValidationError):
        confirm_suggestion(suggestion=suggestion, by=world["coordinator"], expected_version=None)


def test_a_rejected_suggestion_records_nothing(world: World, rory: Participant) -> None:
    batch = _import(world, "José,García,1999-04-12,2025-03-01,CR/1,")
    suggestion = MatchSuggestion.objects.get(incident__batch=batch)
    reject_suggestion(suggestion=suggestion, by=world["coordinator"], expected_version=1)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.REJECTED
    assert not ReoffendingCheck.objects.exclude(result="").exists()
    # Nor is the same incident put to the coordinator again by a later file.
    again = _import(world, "José,García,1999-04-12,2025-03-01,CR/1,")
    assert _suggestions(again) == {}


def test_a_suggestion_opened_on_an_old_version_is_refused(world: World, rory: Participant) -> None:
    batch = _import(world, "José,García,1999-04-12,2025-03-01,CR/1,")
    suggestion = MatchSuggestion.objects.get(incident__batch=batch)
    with pytest.raises(ValidationError):
        confirm_suggestion(suggestion=suggestion, by=world["coordinator"], expected_version=7)
    assert not ReoffendingCheck.objects.exclude(result="").exists()


def test_the_header_is_read_in_any_case_with_a_bom_and_extra_columns(
    world: World, rory: Participant
) -> None:
    batch = _import(
        world,
        "X1,2025-03-01,José,García,1999-04-12,CR/9,north",
        header="Case Number,INCIDENT_DATE,Given Name,FAMILY NAME,Date of Birth,"
        "Incident Reference,Station",
        bom=True,
    )
    incident = ImportedIncident.objects.get(batch=batch)
    assert (incident.given_name, incident.incident_reference, incident.offence) == (
        "José",
        "CR/9",
        "",
    )
    assert _suggestions(batch) == {"CR/9": "high"}


def test_bad_rows_give_line_numbered_messages_and_nothing_is_imported(
    world: World, rory: Participant
) -> None:
    with pytest.raises(ValidationError) as refused:
        _import(
            world,
            "José,García,1999-04-12,2025-03-01,CR/1,Theft",
            ",García,1999-04-12,2025-03-01,CR/2,",
            "José,García,12.04.1999,2025-13-01,CR/3,",
            "José,García",
            "",
            "José,García,1999-04-12,2099-01-01,CR/6,",
        )
    assert refused.value.messages == [
        "Line 3, given name: this is needed.",
        "Line 4, date of birth: write the date as YYYY-MM-DD or MM/DD/YYYY.",
        "Line 4, incident date: write the date as YYYY-MM-DD or MM/DD/YYYY.",
        "Line 5: the row has 2 values where the header names 6.",
        "Line 7, incident date: the date is in the future.",
    ]
    assert not IncidentImport.objects.exists()
    assert not ImportedIncident.objects.exists()
    assert not MatchSuggestion.objects.exists()


def test_a_file_without_the_columns_or_not_in_utf8_is_refused_whole(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        read_rows(io.BytesIO(b"name,when\r\nJose,2025-01-01\r\n"), world.program)
    assert refused.value.messages[0].startswith("Line 1: the header has no column named given")
    with pytest.raises(ValidationError) as refused:
        latin1 = csv_bytes("José,García,,2025-01-01,R,").decode().encode("latin-1")
        read_rows(io.BytesIO(latin1), world.program)
    assert "UTF-8" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        read_rows(io.BytesIO(b""), world.program)
    assert "empty" in refused.value.messages[0]


def test_a_file_with_more_rows_than_the_limit_is_refused(world: World) -> None:
    many = csv_bytes(*["A,B,,2025-03-01,R,"] * 5001)
    with pytest.raises(ValidationError) as refused:
        read_rows(io.BytesIO(many), world.program)
    assert "more than 5000 rows" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(world: World) -> None:
    big = csv_bytes(*["José,García,1999-04-12,2025-03-01,CR/1," + "x" * 400] * 6000)
    with pytest.raises(ValidationError) as refused:
        read_rows(io.BytesIO(big), world.program)
    assert "2 MB" in refused.value.messages[0]


def test_names_are_compared_without_accents_case_or_punctuation() -> None:
    assert folded("  Ségolène  O'Brien-Smith ") == "segolene o brien smith"

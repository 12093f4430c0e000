"""Importing new incidents from the police records system, and suggesting who they are.

The file is a CSV (docs/reoffending.md): a header row naming the columns, one incident a
row. Every row is read and checked before anything is saved: one bad row and nothing is
imported, and each problem is reported with its line number.

The importer only suggests. Each suggestion pairs an incident with a responsible party
whose checks are open, with a confidence; a coordinator confirms or rejects it, and only
a confirmed suggestion records a new offence (mend.outcomes.reoffending_services).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases.models import Participant
from mend.core import audit
from mend.outcomes.models import (
    ImportedIncident,
    IncidentImport,
    MatchSuggestion,
    ReoffendingCheck,
)
from mend.outcomes.periods import program_today
from mend.outcomes.reoffending_services import STALE, mark_new_offence
from mend.programs.models import Program

if TYPE_CHECKING:
    from mend.accounts.models import User

MAX_BYTES = 2 * 1_048_576
MAX_ROWS = 5000
# Most problems listed for one file; the rest are counted.
MAX_PROBLEMS = 50

COLUMNS = {
    "given_name": ("given name", "first name", "given names"),
    "family_name": ("family name", "last name", "surname"),
    "date_of_birth": ("date of birth", "dob", "birth date"),
    "incident_date": ("incident date", "date of incident"),
    "incident_reference": ("incident reference", "reference", "incident number"),
    "offence": ("offence", "offense"),
}
REQUIRED = ("given_name", "family_name", "date_of_birth", "incident_date", "incident_reference")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
Confidence = MatchSuggestion.Confidence


def column_label(key: str) -> str:
    labels = {
        "given_name": _("given name"),
        "family_name": _("family name"),
        "date_of_birth": _("date of birth"),
        "incident_date": _("incident date"),
        "incident_reference": _("incident reference"),
        "offence": _("offence"),
    }
    return labels[key]


@dataclass(frozen=True)
class Row:
    line: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    incident_date: date
    incident_reference: str
    offence: str


def _header_key(cell: str) -> str:
    text = " ".join(cell.replace("_", " ").replace("-", " ").split()).casefold()
    for key, names in COLUMNS.items():
        if text in names:
            return key
    return ""


def _date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _check_row(value: dict[str, str], line: int, today: date) -> tuple[Row | None, list[str]]:
    problems: list[str] = []

    def problem(key: str, message: str) -> None:
        problems.append(
            _("Line %(line)s, %(column)s: %(message)s")
            % {"line": line, "column": column_label(key), "message": message}
        )

    for key in ("given_name", "family_name", "incident_reference"):
        if not value[key]:
            problem(key, _("this is needed."))
        elif len(value[key]) > 100:
            problem(key, _("keep it to 100 characters."))
    born = _date(value["date_of_birth"]) if value["date_of_birth"] else None
    if value["date_of_birth"] and born is None:
        problem("date_of_birth", _("write the date as YYYY-MM-DD or MM/DD/YYYY."))
    elif born is not None and not date(1900, 1, 1) <= born <= today:
        problem("date_of_birth", _("this date is not a possible date of birth."))
    happened = _date(value["incident_date"]) if value["incident_date"] else None
    if not value["incident_date"]:
        problem("incident_date", _("this is needed."))
    elif happened is None:
        problem("incident_date", _("write the date as YYYY-MM-DD or MM/DD/YYYY."))
    elif happened > today:
        problem("incident_date", _("the date is in the future."))
    offence = value.get("offence", "")
    if len(offence) > 500:
        problem("offence", _("keep it to 500 characters."))
    if problems or happened is None:
        return None, problems
    row = Row(
        line,
        value["given_name"],
        value["family_name"],
        born,
        happened,
        value["incident_reference"],
        offence,
    )
    return row, []


def read_rows(upload: IO[bytes], program: Program) -> list[Row]:
    """The file's incidents, or a ValidationError listing every problem found."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB: split it and import each part."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8”.")
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header:
        raise ValidationError(_("The file is empty: the first line must name the columns."))
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        if key and key not in where:
            where[key] = index
    missing = [column_label(key) for key in REQUIRED if key not in where]
    if missing:
        raise ValidationError(
            _("Line 1: the header has no column named %(names)s.") % {"names": ", ".join(missing)}
        )
    today = program_today(program)
    rows: list[Row] = []
    problems: list[str] = []
    read = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(
                _("Line %(line)s: the row cannot be read (a quote is not closed).")
                % {"line": reader.line_num}
            )
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        read += 1
        if read > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(most)s rows: split it and import each part.")
                % {"most": MAX_ROWS}
            )
        if len(cells) < len(header):
            problems.append(
                _("Line %(line)s: the row has %(found)s values where the header names %(named)s.")
                % {"line": line, "found": len(cells), "named": len(header)}
            )
            continue
        value = {key: cells[index].strip() for key, index in where.items()}
        row, row_problems = _check_row(value, line, today)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(
                _("… and %(count)s more problems.") % {"count": len(problems) - MAX_PROBLEMS}
            )
        raise ValidationError(shown)
    if not rows:
        raise ValidationError(_("The file has a header but no incidents."))
    return rows


# Matching --------------------------------------------------------------------------------


def folded(name: str) -> str:
    """A name as compared: accents stripped, case folded, punctuation as spaces."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    ).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def within_one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion or substitution (or none) turns a into b."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def confidence(
    given: str,
    family: str,
    born: date | None,
    person_given: str,
    person_family: str,
    person_born: date | None,
) -> str:
    """High: same name and date of birth. Medium: same date of birth and a similar name
    (each part within one edit, or given and family names swapped). Low: same name, and
    the date of birth differs or one is unknown. "" otherwise."""
    ours = (folded(given), folded(family))
    theirs = (folded(person_given), folded(person_family))
    same_name = ours == theirs
    same_birth = born is not None and born == person_born
    if same_name and same_birth:
        return Confidence.HIGH
    if same_birth and (
        ours == theirs[::-1]
        or (within_one_edit(ours[0], theirs[0]) and within_one_edit(ours[1], theirs[1]))
    ):
        return Confidence.MEDIUM
    if same_name:
        return Confidence.LOW
    return ""


@dataclass
class Candidate:
    participant: Participant
    completed_on: date
    last_due: date


def candidates(program: Program) -> list[Candidate]:
    """Responsible parties of the program with at least one check open."""
    spans: dict[int, Candidate] = {}
    checks = ReoffendingCheck.objects.filter(program=program).select_related("participant__person")
    open_ids = set(checks.filter(result="").values_list("participant_id", flat=True))
    for check in checks.filter(participant_id__in=open_ids):
        found = spans.get(check.participant_id)
        if found is None:
            spans[check.participant_id] = Candidate(
                check.participant, check.completed_on, check.due_on
            )
        else:
            found.last_due = max(found.last_due, check.due_on)
    return list(spans.values())


def suggest(row: Row | ImportedIncident, people: list[Candidate]) -> list[tuple[Candidate, str]]:
    """The candidates an incident may be about: it falls after their completion and
    within their longest window, and their name (and date of birth) match."""
    found = []
    for candidate in people:
        if not candidate.completed_on < row.incident_date <= candidate.last_due:
            continue
        person = candidate.participant.person
        level = confidence(
            row.given_name,
            row.family_name,
            row.date_of_birth,
            person.given_name,
            person.family_name,
            person.date_of_birth,
        )
        if level:
            found.append((candidate, level))
    return found


@transaction.atomic
def import_incidents(
    *, program: Program, upload: IO[bytes], file_name: str, by: User
) -> IncidentImport:
    """Save the file's incidents and the suggestions for them, or nothing at all."""
    rows = read_rows(upload, program)
    Program.objects.select_for_update().filter(pk=program.pk).first()
    people = candidates(program)
    by_birth: dict[date | None, list[Candidate]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in people:
        person = candidate.participant.person
        by_birth[person.date_of_birth].append(candidate)
        by_name[(folded(person.given_name), folded(person.family_name))].append(candidate)
    # The same incident already put to a coordinator for the same party is not asked again.
    asked = set(
        MatchSuggestion.objects.filter(incident__batch__program=program).values_list(
            "participant_id", "incident__incident_reference"
        )
    )
    batch = IncidentImport.objects.create(
        program=program, file_name=file_name[:200], imported_by=by
    )
    suggested = 0
    for row in rows:
        incident = ImportedIncident.objects.create(
            batch=batch,
            line=row.line,
            given_name=row.given_name,
            family_name=row.family_name,
            date_of_birth=row.date_of_birth,
            incident_date=row.incident_date,
            incident_reference=row.incident_reference,
            offence=row.offence,
        )
        pool = {id(c): c for c in by_birth.get(row.date_of_birth, []) if row.date_of_birth}
        pool.update(
            {id(c): c for c in by_name.get((folded(row.given_name), folded(row.family_name)), [])}
        )
        for candidate, level in suggest(row, list(pool.values())):
            key = (candidate.participant.pk, row.incident_reference)
            if key in asked:
                continue
            asked.add(key)
            MatchSuggestion.objects.create(
                incident=incident, participant=candidate.participant, confidence=level
            )
            suggested += 1
    audit.record(
        actor=by,
        action="reoffending.incidents_imported",
        obj=batch,
        program=program,
        rows=len(rows),
        suggestions=suggested,
    )
    return batch


def _lock_suggestion(suggestion: MatchSuggestion, expected_version: int | None) -> MatchSuggestion:
    locked = (
        MatchSuggestion.objects.select_for_update()
        .select_related("incident__batch", "participant__case")
        .get(pk=suggestion.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _("Someone changed this since you opened the page. Nothing was saved."), code=STALE
        )
    if locked.status != MatchSuggestion.Status.PENDING:
        raise ValidationError(_("This suggestion was already decided."), code=STALE)
    return locked


@transaction.atomic
def confirm_suggestion(
    *, suggestion: MatchSuggestion, by: User, expected_version: int | None
) -> list[ReoffendingCheck]:
    """The incident is about this party: a new offence on each of their open checks whose
    window holds the incident date. The checks written are returned."""
    suggestion = _lock_suggestion(suggestion, expected_version)
    incident = suggestion.incident
    checks = ReoffendingCheck.objects.select_for_update().filter(
        participant_id=suggestion.participant_id, result=""
    )
    written = [
        check
        for check in checks.order_by("months")
        if check.window_contains(incident.incident_date)
    ]
    for check in written:
        mark_new_offence(
            check,
            offence_date=incident.incident_date,
            category=None,
            source_reference=incident.incident_reference,
            by=by,
            incident=incident,
        )
    _decide(suggestion, MatchSuggestion.Status.CONFIRMED, by)
    audit.record(
        actor=by,
        action="reoffending.match_confirmed",
        obj=suggestion,
        subject=suggestion.participant.case,
        program=incident.batch.program,
        changed_fields=["status"],
        checks=",".join(str(check.months) for check in written),
    )
    return written


@transaction.atomic
def reject_suggestion(
    *, suggestion: MatchSuggestion, by: User, expected_version: int | None
) -> MatchSuggestion:
    """The incident is not about this party; nothing is recorded."""
    suggestion = _lock_suggestion(suggestion, expected_version)
    _decide(suggestion, MatchSuggestion.Status.REJECTED, by)
    audit.record(
        actor=by,
        action="reoffending.match_rejected",
        obj=suggestion,
        subject=suggestion.participant.case,
        program=suggestion.incident.batch.program,
        changed_fields=["status"],
    )
    return suggestion


def _decide(suggestion: MatchSuggestion, status: str, by: User) -> None:
    suggestion.status = status
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.version += 1
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "version"])

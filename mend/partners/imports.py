"""Coordinators import referrals from a CSV file, with a dry-run preview first.

Each row is turned into the partner API's JSON referral and validated with the API's own
schema, so a row is accepted exactly when the API would accept the same referral. Rows
are written through the same service path as the API (with source "import"). A row whose
(agency, incident_reference) already exists as a referral of the program is "already
imported" and skipped, so importing the same file twice creates nothing the second time.

Between the preview and the import the file travels in a signed, compressed hidden field:
the server checks the signature (and who signed it for which program) and validates
everything again before writing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from mend.accounts.models import User
from mend.api.schemas import ReferralSubmission, category_codes
from mend.api.services import referral_details
from mend.cases.models import Referral
from mend.cases.services import submit_referral
from mend.core import audit
from mend.programs.models import Agency, Program

# The whole request, form and file, must stay under the site's 1 MiB limit
# (MEND_MAX_REQUEST_BYTES), and so must the signed copy sent back on confirmation, which
# base64 can make up to a third larger than the file.
MAX_BYTES = 512 * 1024
MAX_ROWS = 1000
MAX_PARTIES = 3
SIGNING_SALT = "mend.partners.imports"
# How long a preview may be confirmed.
MAX_AGE_SECONDS = 60 * 60

REFERRAL_COLUMNS = [
    "incident_reference",
    "incident_date",
    "offence_category",
    "summary",
    "justice_stage",
    "area",
    "precinct",
]
REFERRER_COLUMNS = ["name", "email", "phone", "badge_or_staff_id"]
PARTY_COLUMNS = [
    "given_name",
    "family_name",
    "date_of_birth",
    "preferred_language",
    "phone",
    "email",
    "address",
    "accessibility_needs",
]
HARMED_COLUMNS = [*PARTY_COLUMNS, "rj_offered_on", "consents_to_contact"]
RESPONSIBLE_COLUMNS = [*PARTY_COLUMNS, "admits_responsibility"]
BOOLEAN_COLUMNS = {"consents_to_contact", "admits_responsibility"}
_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0"}

COLUMNS = [
    *REFERRAL_COLUMNS,
    *(f"referrer_{name}" for name in REFERRER_COLUMNS),
    *(f"harmed_{i}_{name}" for i in range(1, MAX_PARTIES + 1) for name in HARMED_COLUMNS),
    *(f"responsible_{i}_{name}" for i in range(1, MAX_PARTIES + 1) for name in RESPONSIBLE_COLUMNS),
]
REQUIRED_COLUMNS = [
    "incident_reference",
    "incident_date",
    "offence_category",
    "justice_stage",
    "referrer_name",
    "harmed_1_given_name",
    "harmed_1_family_name",
]

VALID = "valid"
DUPLICATE = "duplicate"
INVALID = "invalid"


class ImportRefused(Exception):
    """The file cannot be imported at all (not a CSV, unknown columns, ...)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class Row:
    number: int
    incident_reference: str
    status: str = VALID
    errors: list[RowError] = field(default_factory=list)
    payload: ReferralSubmission | None = None


@dataclass
class Preview:
    rows: list[Row]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def valid(self) -> int:
        return self.count(VALID)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def invalid(self) -> int:
        return self.count(INVALID)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]


@dataclass
class Imported:
    referrals: list[Referral]
    preview: Preview


# --- Reading the file ----------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file as text. UTF-8, with or without a byte order mark."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([too_big()])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            [_("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")]
        ) from None


def too_big() -> str:
    return _("The file is larger than %(size)d KiB. Split it into smaller files.") % {
        "size": MAX_BYTES // 1024
    }


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if "\x00" in text:
        raise ImportRefused([_("This is not a CSV file.")])
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ImportRefused([_("This is not a CSV file.")]) from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise ImportRefused([_("The file is empty. Its first line must name the columns.")])
    header = [cell.strip() for cell in lines[0]]
    # Row numbers as a spreadsheet shows them: the header is row 1.
    records = [
        (number, cells)
        for number, cells in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    return header, records


def _check_header(header: list[str]) -> None:
    problems = []
    known = set(COLUMNS)
    unknown = [name for name in header if name not in known]
    if unknown:
        problems.append(
            _("Unknown columns: %(names)s.")
            % {"names": ", ".join(name or '""' for name in unknown)}
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(
            _("Columns named more than once: %(names)s.") % {"names": ", ".join(repeated)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if problems:
        raise ImportRefused(problems)


# --- One row ---------------------------------------------------------------------------------


def _boolean(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError


def _party(
    cells: dict[str, str], prefix: str, names: list[str], errors: list[tuple[str, str]]
) -> dict[str, Any] | None:
    values = {name: cells.get(f"{prefix}_{name}", "") for name in names}
    if not any(value.strip() for value in values.values()):
        return None
    party: dict[str, Any] = {}
    for name, value in values.items():
        if not value.strip():
            continue  # a blank cell is a missing value: the schema's default applies
        if name in BOOLEAN_COLUMNS:
            try:
                party[name] = _boolean(value.strip())
            except ValueError:
                errors.append((f"{prefix}_{name}", _("Write yes or no, or leave it blank.")))
            continue
        party[name] = value
    return party


def to_payload(
    cells: dict[str, str],
) -> tuple[dict[str, Any], dict[str, list[str]], list[tuple[str, str]]]:
    """A row as the API's JSON referral, which columns each party came from, and the
    errors found before the schema sees it."""
    errors: list[tuple[str, str]] = []
    payload: dict[str, Any] = {
        name: cells[name] for name in REFERRAL_COLUMNS if cells.get(name, "").strip()
    }
    payload["referrer"] = {
        name: cells[f"referrer_{name}"]
        for name in REFERRER_COLUMNS
        if cells.get(f"referrer_{name}", "").strip()
    }
    sources: dict[str, list[str]] = {"harmed_parties": [], "responsible_parties": []}
    for key, kind, names in (
        ("harmed_parties", "harmed", HARMED_COLUMNS),
        ("responsible_parties", "responsible", RESPONSIBLE_COLUMNS),
    ):
        parties = []
        for i in range(1, MAX_PARTIES + 1):
            prefix = f"{kind}_{i}"
            party = _party(cells, prefix, names, errors)
            if party is not None:
                parties.append(party)
                sources[key].append(prefix)
        payload[key] = parties
    return payload, sources, errors


def _column(loc: tuple[Any, ...], sources: dict[str, list[str]]) -> str:
    """The CSV column a pydantic error location points at."""
    if not loc:
        return ""
    head, *rest = loc
    if head == "referrer":
        return f"referrer_{rest[0]}" if rest else "referrer_name"
    if head in sources:
        if not rest:
            return "harmed_1_given_name" if head == "harmed_parties" else "responsible_1"
        index, *inner = rest
        prefixes = sources[head]
        prefix = prefixes[index] if isinstance(index, int) and index < len(prefixes) else head
        return f"{prefix}_{inner[0]}" if inner else prefix
    return str(head)


def _message(error: Any, column: str, program: Program) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if column == "harmed_1_given_name" and kind == "too_short":
        return _("Name at least one harmed party.")
    if column == "offence_category" and kind == "value_error":
        codes = sorted(category_codes(program.pk))
        return _("Unknown offence category. Use one of: %(codes)s.") % {"codes": ", ".join(codes)}
    return str(error.get("msg", "")).removeprefix("Value error, ")


@dataclass(frozen=True)
class _Key:
    """What the API schema reads from the request's key when validating: its program."""

    program: Program

    @property
    def program_id(self) -> int:
        return self.program.pk


@dataclass(frozen=True)
class _Request:
    auth: _Key


def _validate(number: int, cells: dict[str, str], program: Program) -> Row:
    payload, sources, early = to_payload(cells)
    row = Row(number=number, incident_reference=cells.get("incident_reference", "").strip())
    row.errors = [RowError(number, column, message) for column, message in early]
    try:
        submission = ReferralSubmission.model_validate(
            payload, context={"request": _Request(_Key(program))}
        )
    except PydanticValidationError as exc:
        for error in exc.errors():
            column = _column(tuple(error.get("loc", ())), sources)
            row.errors.append(RowError(number, column, _message(error, column, program)))
    else:
        if not row.errors:
            row.payload = submission
    if row.errors:
        row.status = INVALID
    return row


def preview(*, program: Program, agency: Agency, text: str) -> Preview:
    """What importing `text` would do. Writes nothing. Raises ImportRefused."""
    header, records = _records(text)
    _check_header(header)
    if len(records) > MAX_ROWS:
        raise ImportRefused(
            [
                _("The file has more than %(rows)d rows. Split it into smaller files.")
                % {"rows": MAX_ROWS}
            ]
        )
    existing = set(
        Referral.objects.filter(program=program, agency=agency).values_list(
            "incident_reference", flat=True
        )
    )
    seen: set[str] = set()
    rows = []
    for number, cells in records:
        if len(cells) > len(header):
            row = Row(number=number, incident_reference="", status=INVALID)
            row.errors.append(
                RowError(number, "", _("This row has more values than there are columns."))
            )
            rows.append(row)
            continue
        row = _validate(number, dict(zip(header, cells, strict=False)), program)
        if row.payload is not None:
            reference = row.payload.incident_reference
            if reference in existing:
                row.status = DUPLICATE
            elif reference in seen:
                # The same referral twice in one file: the first one counts.
                row.status = DUPLICATE
            seen.add(reference)
        rows.append(row)
    return Preview(rows)


# --- Carrying the file to the confirmation ---------------------------------------------------


def sign(*, program: Program, agency: Agency, by: User, text: str) -> str:
    return signing.dumps(
        {"program": program.pk, "agency": agency.pk, "user": by.pk, "csv": text},
        salt=SIGNING_SALT,
        compress=True,
    )


def unsign(token: str, *, program: Program, by: User) -> tuple[int, str]:
    """The agency id and CSV text a preview signed for this person and program.

    Raises signing.BadSignature (SignatureExpired included) when it was changed, is too
    old, or was signed for someone else or another program.
    """
    data = signing.loads(token, salt=SIGNING_SALT, max_age=MAX_AGE_SECONDS)
    if not isinstance(data, dict) or data.get("program") != program.pk or data.get("user") != by.pk:
        raise signing.BadSignature("Signed for another program or person.")
    agency, text = data.get("agency"), data.get("csv")
    if not isinstance(agency, int) or not isinstance(text, str):
        raise signing.BadSignature("Malformed import.")
    return agency, text


# --- Importing -------------------------------------------------------------------------------


@transaction.atomic
def import_referrals(
    *, program: Program, agency: Agency, by: User, text: str, only_valid: bool
) -> Imported:
    """Validate `text` again and write its referrals, all in this one transaction.

    All-or-nothing (only_valid False) writes nothing when any row is invalid: the
    Imported has no referrals and its preview says why. Rows already imported are skipped
    either way. Raises ImportRefused for a file that cannot be read.
    """
    if agency.program_id != program.pk:
        raise ImportRefused([_("Choose an agency of this program.")])
    # Two imports for the same agency wait for each other, so neither misses the other's
    # referrals when looking for rows already imported.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    result = preview(program=program, agency=agency, text=text)
    if result.invalid and not only_valid:
        return Imported([], result)
    referrals = []
    for row in result.rows:
        if row.status != VALID or row.payload is None:
            continue
        # The API's own mapping from its schema to the case services; it reads only the
        # key's program.
        details, referrer = referral_details(program, row.payload)
        referrals.append(
            submit_referral(
                program=program,
                details=details,
                referrer=referrer,
                agency=agency,
                by=by,
                source=Referral.Source.IMPORT,
            )
        )
    audit.record(
        actor=by,
        action="referrals.imported",
        obj=agency,
        program=program,
        imported=len(referrals),
        skipped_duplicates=result.duplicates,
        invalid=result.invalid,
        only_valid=only_valid,
    )
    return Imported(referrals, result)

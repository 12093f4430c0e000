"""What partner systems send and receive. Field names are part of the published contract.

Lengths match the referral form and the models. Every string refuses NUL characters and
text that is not valid Unicode, so nothing a client sends can reach the database as a
500. Dates must be written YYYY-MM-DD and booleans as true/false: the API does not guess.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import translation
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mend.cases.models import JusticeStage, Referral
from mend.core.dates import plausible_date
from mend.core.languages import code_for
from mend.programs.models import OffenceCategory

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339: a full date and time with seconds and a zone offset (Z or +hh:mm).
_ISO_DATETIME = re.compile(
    r"(?P<stamp>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Must be valid Unicode text.") from None
    return value.strip()


def _required_text(value: str) -> str:
    value = _text(value)
    if not value:
        raise ValueError("Must not be blank.")
    return value


def _email(value: str) -> str:
    value = _text(value)
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter a valid e-mail address.") from None
    return value


def _language(value: str) -> str:
    value = _text(value)
    if not value:
        return ""
    code = code_for(value)
    if code is None:
        raise ValueError("Give a language code such as es or vi, or a language's name.")
    return code


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Use a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("This date does not exist.") from None
    return day


def _plausible(day: date, *, past: bool) -> date:
    """The rule the forms use (mend.core.dates), with its message in the API's English."""
    try:
        return plausible_date(day, past=past)
    except DjangoValidationError as error:
        with translation.override("en"):
            raise ValueError(" ".join(error.messages)) from None


def parse_timestamp(value: Any) -> datetime:
    """An RFC 3339 timestamp, as UTC. A '+' turned into a space by URL decoding is put back."""
    if not isinstance(value, str):
        raise ValueError(
            "Use an ISO 8601 timestamp with a time zone, such as 2026-03-01T09:00:00Z."
        )
    if len(value) > 6 and value[-6] == " ":
        value = f"{value[:-6]}+{value[-5:]}"
    match = _ISO_DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(
            "Use an ISO 8601 timestamp with a time zone, such as 2026-03-01T09:00:00Z."
        )
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"].upper().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(f"{match['stamp'].upper()}.{fraction}{zone}")
        if not 1900 <= parsed.year <= 9000:
            raise ValueError
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("This timestamp does not exist.") from None


def _past(day: date) -> date:
    return _plausible(day, past=True)


def _planned(day: date) -> date:
    return _plausible(day, past=False)


def _datetime_schema(schema: dict[str, Any]) -> None:
    schema.update({"type": "string", "format": "date-time"})


IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_planned)]
PastDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_past)]
Timestamp = Annotated[
    datetime, BeforeValidator(parse_timestamp), Field(json_schema_extra=_datetime_schema)
]
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_required_text)]
Text40 = Annotated[str, Field(max_length=40), AfterValidator(_text)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_text)]
Language = Annotated[
    str,
    Field(
        max_length=40,
        description=(
            "The language they prefer, as a code (es, vi, so, ase...); its name in English "
            "or Spanish is accepted and stored as the code."
        ),
    ),
    AfterValidator(_language),
]
Email = Annotated[
    str,
    Field(max_length=254, description="An e-mail address, or empty."),
    AfterValidator(_email),
]
FollowStatus = Literal[
    "received", "screening", "accepted", "declined", "in_progress", "agreement_reached", "closed"
]
Handling = Literal["eligible", "specialist_only", "excluded"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Referrer(Strict):
    """The person at the agency who makes the referral."""

    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_required_text)]
    email: Email = ""
    phone: Text40 = ""
    badge_or_staff_id: Text40 = ""


class Party(Strict):
    given_name: Name
    family_name: Name
    date_of_birth: PastDate | None = None
    preferred_language: Language = ""
    phone: Text40 = ""
    email: Email = ""
    address: Text500 = ""
    accessibility_needs: Text500 = ""


class HarmedParty(Party):
    rj_offered_on: Annotated[
        PastDate | None,
        Field(description="When the referrer offered restorative justice to this person."),
    ] = None
    consents_to_contact: Annotated[
        StrictBool | None,
        Field(
            description=(
                "Whether they agreed to be contacted by the program when it was offered. "
                "Requires rj_offered_on."
            )
        ),
    ] = None

    @model_validator(mode="after")
    def _consent_needs_offer(self) -> HarmedParty:
        if self.consents_to_contact is not None and self.rj_offered_on is None:
            raise ValueError(
                "Give rj_offered_on, the date restorative justice was offered, "
                "with consents_to_contact."
            )
        return self


class ResponsibleParty(Party):
    admits_responsibility: Annotated[
        StrictBool | None,
        Field(description="Admits responsibility or accepts the basic facts; null if unknown."),
    ] = None


class ReferralSubmission(Strict):
    incident_reference: Annotated[
        str,
        Field(min_length=1, max_length=60, description="The incident or crime reference."),
        AfterValidator(_required_text),
    ]
    incident_date: PastDate
    offence_category: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="A code from GET /api/v1/offence-categories.",
        ),
    ]
    summary: Annotated[
        str,
        Field(max_length=5000, description="A short factual summary of what happened."),
        AfterValidator(_text),
    ] = ""
    justice_stage: JusticeStage
    area: Annotated[
        str,
        Field(
            max_length=80,
            description="Where it happened: a district or neighbourhood, never an address.",
        ),
        AfterValidator(_text),
    ] = ""
    precinct: Annotated[
        str, Field(max_length=40, description="The police precinct or beat."), AfterValidator(_text)
    ] = ""
    referrer: Referrer
    harmed_parties: Annotated[list[HarmedParty], Field(min_length=1, max_length=20)]
    responsible_parties: Annotated[list[ResponsibleParty], Field(max_length=20)] = []

    @field_validator("offence_category")
    @classmethod
    def _known_category(cls, value: str, info: ValidationInfo) -> str:
        request = (info.context or {}).get("request")
        key = getattr(request, "auth", None)
        if key is None or value not in category_codes(key.program_id):
            raise ValueError(
                "Unknown offence category. Use a code from GET /api/v1/offence-categories."
            )
        return value


def category_codes(program_id: int) -> set[str]:
    return set(
        OffenceCategory.objects.filter(program_id=program_id, is_active=True).values_list(
            "code", flat=True
        )
    )


class ReferralCreated(Schema):
    id: int
    reference: str = Field(description="The case reference staff use, such as RIV-2026-0042.")
    status: FollowStatus
    status_url: str = Field(description="Where to read the referral's status.")


class ReferralStatus(Schema):
    id: int
    reference: str
    status: FollowStatus
    outcome: str | None = Field(
        description=(
            "Once declined: the decline reason code. Once closed: the closure outcome code. "
            "Otherwise null."
        )
    )
    updated_at: datetime


class ReferralPage(Schema):
    items: list[ReferralStatus]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class OffenceCategoryOut(Schema):
    model_config = ConfigDict(title="OffenceCategory")

    code: str
    label: str
    handling: Handling


class ErrorItem(Schema):
    field: str = Field(description="Where the problem is, such as harmed_parties.0.email.")
    message: str


class ErrorResponse(Schema):
    errors: list[ErrorItem]


def follow(referral: Referral) -> dict[str, Any]:
    """A referral as partners see it. Needs the referral's case loaded."""
    if referral.status == Referral.Status.DECLINED:
        outcome = referral.decline_reason or None
    else:
        outcome = referral.case.outcome or None
    changed = getattr(referral, "changed_at", None) or max(
        referral.updated_at, referral.case.updated_at
    )
    return {
        "id": referral.pk,
        "reference": referral.case.reference,
        "status": referral.follow_status,
        "outcome": outcome,
        "updated_at": changed,
    }


# The largest id a database column holds; larger ones cannot name a referral.
MAX_ID = 2**63 - 1

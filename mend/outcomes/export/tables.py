"""Which rows and columns of every model a program's export holds.

Every model of the project is either in TABLES (with the path from its rows to the
program they belong to) or in LEFT_OUT with the reason it never leaves. A test fails on
a model in neither, so whoever adds a model decides here.

Columns: SECRETS never leave, in any variant. The person-free variant keeps only what
cannot identify or describe a person: ids, codes (fields with choices), numbers, dates
of events, flags, and the few plain-text codes listed in PERSON_FREE_TEXT. Everything
else, encrypted fields and every free text above all, is left out by default, so a new
text column stays out of the analysts' package until someone decides otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When

from mend.core.fields import EncryptedTextField
from mend.programs.models import Program


class Variant(StrEnum):
    FULL = "full"
    PERSON_FREE = "person_free"


# The capability each variant needs.
CAPABILITY = {
    Variant.FULL: "outcomes.export",
    Variant.PERSON_FREE: "outcomes.export_person_free",
}

USERS = "accounts.User"


@dataclass(frozen=True)
class Table:
    label: str  # "cases.Case"
    # The lookup from a row to its program; "" for the program itself and for users,
    # whose rows are found by `user_rows`.
    scope: str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


TABLES: tuple[Table, ...] = (
    Table("programs.Program", ""),
    Table("programs.Agency", "program"),
    Table("programs.OffenceCategory", "program"),
    Table("programs.EligibilityCriterion", "program"),
    Table("programs.RetentionRule", "program"),
    Table(USERS, ""),
    Table("programs.Membership", "program"),
    Table("programs.Invitation", "program"),
    Table("cases.Person", "program"),
    Table("cases.Referral", "program"),
    Table("cases.ReferralMessage", "referral__program"),
    Table("cases.Case", "program"),
    Table("cases.CaseAssignment", "case__program"),
    Table("cases.Participant", "case__program"),
    Table("cases.ConsentEntry", "participant__case__program"),
    Table("cases.SafetyAssessment", "participant__case__program"),
    Table("cases.ProtectiveOrder", "participant__case__program"),
    Table("cases.RJOffer", "participant__case__program"),
    Table("cases.EligibilityDecision", "case__program"),
    Table("cases.Note", "case__program"),
    Table("cases.StageChange", "case__program"),
    Table("processes.Venue", "program"),
    Table("processes.Availability", "program"),
    Table("processes.Meeting", "case__program"),
    Table("processes.Meeting_co_facilitators", "meeting__case__program"),
    Table("processes.MeetingInvitee", "meeting__case__program"),
    Table("processes.MeetingNotice", "meeting__case__program"),
    Table("processes.ConferenceRecord", "meeting__case__program"),
    Table("processes.ConferenceRecord_speakers", "conferencerecord__meeting__case__program"),
    Table("processes.PartyNeeds", "record__meeting__case__program"),
    Table("processes.Letter", "case__program"),
    Table("processes.LetterVersion", "letter__case__program"),
    Table("processes.LetterAttachment", "version__letter__case__program"),
    Table("agreements.AgreementSettings", "program"),
    Table("agreements.Placement", "program"),
    Table("agreements.Agreement", "case__program"),
    Table("agreements.Term", "agreement__case__program"),
    Table("agreements.Instalment", "term__agreement__case__program"),
    Table("agreements.Signature", "agreement__case__program"),
    Table("agreements.Payment", "term__agreement__case__program"),
    Table("agreements.ServiceSession", "term__agreement__case__program"),
    Table("agreements.ServiceIncident", "term__agreement__case__program"),
    Table("agreements.FeeEntry", "case__program"),
    Table("outcomes.OutcomeSettings", "program"),
    Table("outcomes.NationalOffenceCode", "category__program"),
    Table("outcomes.SurveyTemplate", "program"),
    Table("outcomes.SurveyVersion", "template__program"),
    Table("outcomes.SurveyQuestion", "version__template__program"),
    Table("outcomes.SurveyInvitation", "program"),
    Table("outcomes.SurveyLink", "program"),
    Table("outcomes.SurveyResponse", "program"),
    Table("outcomes.SurveyAnswer", "response__program"),
    Table("outcomes.ReoffendingCheck", "program"),
    Table("outcomes.IncidentImport", "program"),
    Table("outcomes.ImportedIncident", "batch__program"),
    Table("outcomes.MatchSuggestion", "incident__batch__program"),
    # Partner systems by label only: outcomes never imports partners.
    Table("partners.ApiKey", "program"),
    Table("partners.WebhookEndpoint", "program"),
    Table("core.AuditEvent", "program"),
)

# Models that never leave, with the reason (docs/export.md repeats these).
LEFT_OUT: dict[str, str] = {
    "accounts.UserSession": "Sign-in sessions: credentials of the moment, not records.",
    "accounts.User_groups": "Site-wide Django permission groups, not the program's.",
    "accounts.User_user_permissions": "Site-wide Django permissions, not the program's.",
    "core.SentForm": "One-time tokens that stop a form being sent twice.",
    "core.RefusalWindow": "Rate-limit counters keyed by e-mail address or IP address.",
    "processes.CalendarFeed": "A calendar subscription link is a credential (token hash).",
    "partners.ApiRateWindow": "Rate-limit counters of the partner API.",
    "partners.IdempotentRequest": "Replay protection of the partner API, kept for a day.",
    "partners.WebhookDelivery": (
        "The outbox of messages to partner systems; what they carried is in the other tables."
    ),
    "admin.LogEntry": "The site administrators' own log, not the program's.",
    "auth.Permission": "Django's site-wide permissions.",
    "auth.Group": "Django's site-wide permission groups.",
    "auth.Group_permissions": "Django's site-wide permission groups.",
    "contenttypes.ContentType": "Django's catalogue of models.",
    "sessions.Session": "Sign-in sessions: credentials of the moment.",
    "otp_totp.TOTPDevice": "Two-factor secrets never leave.",
    "otp_static.StaticDevice": "Two-factor backup codes never leave.",
    "otp_static.StaticToken": "Two-factor backup codes never leave.",
    "axes.AccessAttempt": "Failed sign-in records (IP addresses), kept for security only.",
    "axes.AccessAttemptExpiration": "Failed sign-in records, kept for security only.",
    "axes.AccessFailureLog": "Failed sign-in records (IP addresses), kept for security only.",
    "axes.AccessLog": "Sign-in records (IP addresses), kept for security only.",
    "django_tasks_database.DBTaskResult": "The queue of background jobs.",
    "crypto_test.Secret": "Installed only when the tests run.",
}

# Columns that never leave, in any variant: secrets, and where sealed files are stored
# (the files themselves are not in the package).
SECRETS: frozenset[str] = frozenset(
    {
        "accounts.User.password",
        "programs.Invitation.token_hash",
        "agreements.Placement.verify_token_hash",
        "partners.ApiKey.hashed_secret",
        "partners.WebhookEndpoint.secret",
        "processes.LetterAttachment.stored_name",
        "agreements.Signature.scan_name",
        "outcomes.SurveyInvitation.token_hash",
        "outcomes.SurveyInvitation.reminder_token_hash",
        "outcomes.SurveyLink.token_hash",
    }
)

# Plain-text columns that are codes or the names of organisations, kept person-free.
PERSON_FREE_TEXT: frozenset[str] = frozenset(
    {
        "programs.Program.name",
        "programs.Program.slug",
        "programs.Program.reference_prefix",
        "programs.Program.time_zone",
        "programs.Program.languages",
        "programs.Program.process_types",
        "programs.Program.consent_purposes",
        "programs.Agency.name",
        "programs.OffenceCategory.code",
        "programs.OffenceCategory.label",
        "programs.OffenceCategory.label_es",
        "programs.EligibilityCriterion.code",
        "programs.EligibilityCriterion.label",
        "programs.EligibilityCriterion.label_es",
        "cases.Person.preferred_language",
        "cases.ConsentEntry.purpose",
        "processes.Venue.name",
        "processes.Meeting.interpreter_language",
        "processes.LetterAttachment.content_type",
        "agreements.AgreementSettings.currency",
        "agreements.AgreementSettings.kinds_shared_with_referrer",
        "agreements.Placement.organisation",
        "agreements.Placement.name",
        "agreements.Placement.schedule",
        "agreements.Term.currency",
        "agreements.Signature.scan_type",
        "outcomes.OutcomeSettings.follow_up_months",
        "outcomes.NationalOffenceCode.code",
        "outcomes.SurveyQuestion.code",
        "outcomes.SurveyQuestion.text",
        "outcomes.SurveyQuestion.text_es",
        "outcomes.SurveyQuestion.roles",
        "outcomes.SurveyInvitation.role",
        "outcomes.SurveyResponse.role",
        "outcomes.SurveyResponse.language",
        "outcomes.SurveyAnswer.code",
        "outcomes.SurveyAnswer.choice",
        "partners.ApiKey.name",
        "partners.ApiKey.prefix",
        "partners.ApiKey.scopes",
        "core.AuditEvent.action",
        "core.AuditEvent.object_type",
        "core.AuditEvent.object_id",
        "core.AuditEvent.subject_type",
        "core.AuditEvent.subject_id",
        "core.AuditEvent.changed_fields",
    }
)

# Dates that describe a person rather than an event: left out person-free. Not even
# the year of birth stays: with a case's dates it narrows a person down too far.
PERSONAL_DATES: frozenset[str] = frozenset(
    {"cases.Person.date_of_birth", "outcomes.ImportedIncident.date_of_birth"}
)

# Columns the person-free variant leaves empty on some rows. Whether an anonymous survey
# was answered, beside the month of each anonymous answer, could pair the two.
BLANK_ON_ROWS: dict[str, Q] = {"outcomes.SurveyInvitation.answered": Q(anonymous=True)}
BLANK_WHY = "Left empty in the person-free package where the survey was anonymous."

_PLAIN_KINDS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.TimeField,
    models.UUIDField,
)


def key(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    return f"{model._meta.label}.{field.name}"


def person_free_keeps(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    """Whether a column stays in the person-free package."""
    name = key(model, field)
    if isinstance(field, EncryptedTextField) or name in PERSONAL_DATES:
        return False
    if field.is_relation or field.primary_key:
        return True  # ids say nothing about a person by themselves
    if field.choices:
        return True  # a code
    if isinstance(field, _PLAIN_KINDS):
        return True
    return name in PERSON_FREE_TEXT


def columns(model: type[models.Model], variant: Variant) -> list[models.Field[Any, Any]]:
    """The model's exported columns, in the model's order."""
    kept = [f for f in model._meta.concrete_fields if key(model, f) not in SECRETS]
    if variant == Variant.PERSON_FREE:
        kept = [f for f in kept if person_free_keeps(model, f)]
    return kept


def selected(model: type[models.Model], variant: Variant) -> list[Any]:
    """What to read for each exported column: its name, or, for a column blanked on some
    rows, an expression that reads NULL there."""
    kept = columns(model, variant)
    if variant != Variant.PERSON_FREE:
        return [f.attname for f in kept]
    read: list[Any] = []
    for field in kept:
        hidden = BLANK_ON_ROWS.get(key(model, field))
        if hidden is None:
            read.append(field.attname)
        else:
            read.append(Case(When(hidden, then=Value(None)), default=F(field.attname)))
    return read


def table_of(model: type[models.Model]) -> Table | None:
    return next((t for t in TABLES if t.label == model._meta.label), None)


def exported_labels() -> frozenset[str]:
    return frozenset(t.label for t in TABLES)


def rows(table: Table, program: Program) -> QuerySet[Any]:
    """The program's rows of one table, oldest first."""
    model = table.model
    if table.label == USERS:
        found = user_rows(program)
    elif table.label == "programs.Program":
        found = model._base_manager.filter(pk=program.pk)
    else:
        found = model._base_manager.filter(**{table.scope: program})
    return found.order_by("pk")


def user_rows(program: Program) -> QuerySet[Any]:
    """The program's members, and anyone else its records name (who recorded a payment,
    who signed in as support...), so every reference to a person resolves."""
    user_model = apps.get_model(USERS)
    named = Q(memberships__program=program)
    for table in TABLES:
        if table.label in (USERS, "programs.Program"):
            continue
        for field in table.model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                referenced = table.model._base_manager.filter(
                    **{table.scope: program, f"{field.attname}__isnull": False}
                ).values(field.attname)
                named |= Q(pk__in=referenced)
    found: QuerySet[Any] = user_model._base_manager.filter(named).distinct()
    return found


def all_models() -> Iterator[type[models.Model]]:
    """Every model of every installed app, the many-to-many tables included."""
    yield from apps.get_models(include_auto_created=True)

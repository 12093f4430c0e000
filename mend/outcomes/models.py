"""A program's choices about reporting. The figures themselves are never stored: they are
counted from the records each time (mend.outcomes.measures)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mend.core.fields import EncryptedTextField
from mend.programs.models import Program

DEFAULT_THRESHOLD = 5
DEFAULT_FOLLOW_UP_MONTHS = [6, 12, 24]


def default_follow_up_months() -> list[int]:
    return list(DEFAULT_FOLLOW_UP_MONTHS)


class OutcomeSettings(models.Model):
    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="outcome_settings"
    )
    # Counts below this, shown to analysts or the public, read "fewer than N".
    suppression_threshold = models.PositiveSmallIntegerField(
        _("hide counts smaller than"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
    )
    # A page of trends anyone may read without signing in, suppressed the same way.
    publish_trends = models.BooleanField(_("publish a public trends page"), default=False)
    # Months after completion at which a responsible party's re-offending is checked.
    follow_up_months = models.JSONField(default=default_follow_up_months)
    # Days after a survey is sent that an unanswered one is reminded, once; 0: never.
    survey_reminder_days = models.PositiveSmallIntegerField(
        _("remind about an unanswered survey after (days)"),
        default=7,
        validators=[MaxValueValidator(60)],
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")

    def __str__(self) -> str:
        return f"reporting settings of {self.program_id}"


def settings_of(program: Program) -> OutcomeSettings:
    """The program's settings, or the defaults (unsaved) when it never changed them."""
    found = OutcomeSettings.objects.filter(program=program).first()
    return found if found is not None else OutcomeSettings(program=program)


# Re-offending follow-up (docs/reoffending.md). A check asks, for one responsible party of
# a completed case: was a new offence recorded within `months` months of completion?


class ReoffendingCheck(models.Model):
    class Result(models.TextChoices):
        NO_NEW_OFFENCE = "no_new_offence", _("No new offence recorded")
        NEW_OFFENCE = "new_offence", _("New offence recorded")
        NOT_CHECKED = "not_checked", _("Could not be checked")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "cases.Participant", on_delete=models.PROTECT, related_name="reoffending_checks"
    )
    months = models.PositiveSmallIntegerField(_("months after completion"))
    # The day the case closed, in the program's time zone; the window runs from the day
    # after it to `due_on`, both included.
    completed_on = models.DateField(_("completed on"))
    due_on = models.DateField(_("due on"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    offence_date = models.DateField(_("offence date"), null=True, blank=True)
    offence_category = models.ForeignKey(
        "programs.OffenceCategory",
        verbose_name=_("offence category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    # Set when the result came from a confirmed match of an imported incident.
    incident = models.ForeignKey(
        "ImportedIncident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("re-offending check")
        verbose_name_plural = _("re-offending checks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "months"], name="one_reoffending_check_per_window"
            ),
            models.CheckConstraint(
                condition=~models.Q(result="new_offence") | models.Q(offence_date__isnull=False),
                name="new_offence_has_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "result", "due_on"], name="reoffending_due"),
            models.Index(fields=["program", "months", "due_on"], name="reoffending_window"),
        ]

    def __str__(self) -> str:
        return f"{self.months}-month check of participant {self.participant_id}"

    def window_contains(self, day: date) -> bool:
        return self.completed_on < day <= self.due_on


class IncidentImport(models.Model):
    """One CSV file of incidents from the police records system."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"incident import {self.pk}"


class ImportedIncident(models.Model):
    batch = models.ForeignKey(IncidentImport, on_delete=models.CASCADE, related_name="incidents")
    line = models.PositiveIntegerField()
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    incident_date = models.DateField()
    incident_reference = models.CharField(max_length=100)
    offence = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["batch", "line"]

    def __str__(self) -> str:
        return self.incident_reference

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class MatchSuggestion(models.Model):
    """The importer's guess that an incident is about a responsible party with open checks.
    Nothing is recorded on the checks until a coordinator confirms it."""

    class Confidence(models.TextChoices):
        HIGH = "high", _("High: same name and date of birth")
        MEDIUM = "medium", _("Medium: same date of birth, similar name")
        LOW = "low", _("Low: same name, date of birth differs or unknown")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    incident = models.ForeignKey(
        ImportedIncident, on_delete=models.CASCADE, related_name="suggestions"
    )
    participant = models.ForeignKey("cases.Participant", on_delete=models.PROTECT, related_name="+")
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "participant"], name="one_suggestion_per_incident_and_party"
            )
        ]

    def __str__(self) -> str:
        return f"suggestion {self.pk}"

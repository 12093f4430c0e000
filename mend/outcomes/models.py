"""A program's choices about reporting. The figures themselves are never stored: they are
counted from the records each time (mend.outcomes.measures)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mend.core.fields import EncryptedTextField
from mend.outcomes.offence_codes import CodeList
from mend.programs.models import OffenceCategory, Program

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
    # The national list the program's offence categories are mapped to ("": none).
    offence_code_list = models.CharField(
        _("national offence code list"), max_length=12, choices=CodeList.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")

    def __str__(self) -> str:
        return f"reporting settings of {self.program_id}"


class NationalOffenceCode(models.Model):
    """The national code one of the program's offence categories counts as."""

    category = models.OneToOneField(
        OffenceCategory, on_delete=models.CASCADE, related_name="national_code"
    )
    code_list = models.CharField(max_length=12, choices=CodeList.choices)
    code = models.CharField(_("national code"), max_length=20)

    class Meta:
        verbose_name = _("national offence code")
        verbose_name_plural = _("national offence codes")

    def __str__(self) -> str:
        return f"{self.code_list}:{self.code}"


def settings_of(program: Program) -> OutcomeSettings:
    """The program's settings, or the defaults (unsaved) when it never changed them."""
    found = OutcomeSettings.objects.filter(program=program).first()
    return found if found is not None else OutcomeSettings(program=program)


# --- Participant surveys (mend.outcomes.survey_*) ---------------------------------------
# A survey's words are fixed once a version has gone out: a change makes a new version,
# and every answer keeps the version it answered. Question codes stay the same across
# versions, so the measures read "satisfied" or "safe" whatever the version.


class SurveyKind(models.TextChoices):
    BASELINE = "baseline", _("Before the process")
    AFTER = "after", _("After the process")


class QuestionKind(models.TextChoices):
    AGREE = "agree", _("Agree or disagree (5 points)")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Free text")


class Agreement5(models.TextChoices):
    STRONGLY_AGREE = "strongly_agree", _("Strongly agree")
    AGREE = "agree", _("Agree")
    NEITHER = "neither", _("Neither agree nor disagree")
    DISAGREE = "disagree", _("Disagree")
    STRONGLY_DISAGREE = "strongly_disagree", _("Strongly disagree")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


# The answers the measures count as agreeing.
AGREEING = (Agreement5.STRONGLY_AGREE, Agreement5.AGREE)


class SurveyTemplate(models.Model):
    """One program's survey of a kind (before, after); its questions live in versions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="one_survey_of_a_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey of {self.program_id}"


class SurveyVersion(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The first time this version went to anyone (an invitation or an anonymous link):
    # from then on its questions never change.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="survey_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_fixed(self) -> bool:
        return self.sent_at is not None


class SurveyQuestion(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    # Stable across versions ("satisfied", "safe"): what the measures read.
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question (English)"), max_length=300)
    text_es = models.CharField(_("question (Spanish)"), max_length=300)
    # Participant roles asked this question; empty: everyone.
    roles = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_in_version")
        ]

    def __str__(self) -> str:
        return self.code

    def asks(self, role: str) -> bool:
        return not self.roles or role in self.roles

    def text_in(self, language: str) -> str:
        return self.text_es if language.startswith("es") and self.text_es else self.text


class SurveyInvitation(models.Model):
    """A survey sent to one participant: by e-mail, or a link handed over by staff."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        BY_HAND = "by_hand", _("Link handed over by staff")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "cases.Participant", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # Copied from the participant when sent, for response rates by role.
    role = models.CharField(max_length=12)
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    # The answer keeps no trace of the person; this invitation only records that it came.
    anonymous = models.BooleanField(_("answers are anonymous"), default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # SHA-256 of the link's token; the reminder's link has its own. The token is never kept.
    token_hash = models.CharField(max_length=64, unique=True)
    reminder_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    # Left empty for an anonymous survey: the moment could pair it with its answer.
    answered_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency for the staff buttons (a new link to hand over).
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["program", "sent_at"], name="survey_invitation_sent"),
            models.Index(fields=["participant", "kind"], name="survey_invitation_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey to {self.participant_id}"


class SurveyLink(models.Model):
    """A program-wide anonymous link to one version: many people may answer through it."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"anonymous link to {self.version_id}"


class SurveyResponse(models.Model):
    """One set of answers. Anonymous: no participant, invitation or case, and only the
    month it came (answered_on is the month's first day)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    anonymous = models.BooleanField(default=False)
    participant = models.ForeignKey(
        "cases.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The respondent's role in their case ("" through a program-wide link): a role,
    # never a person.
    role = models.CharField(max_length=12, blank=True)
    language = models.CharField(max_length=10)
    answered_on = models.DateField()

    class Meta:
        ordering = ["-answered_on", "-id"]
        indexes = [models.Index(fields=["program", "answered_on"], name="survey_response_day")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(anonymous=True)
                | models.Q(participant__isnull=True, invitation__isnull=True, case__isnull=True),
                name="anonymous_response_has_no_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} answers of {self.answered_on}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=40)
    # A scale or yes/no answer (a code); free text goes, encrypted, in `text`.
    choice = models.CharField(max_length=20, blank=True)
    text = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["response", "question__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_a_question")
        ]
        indexes = [models.Index(fields=["code", "choice"], name="survey_answer_code")]

    def __str__(self) -> str:
        return self.code


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

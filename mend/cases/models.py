"""Referrals, cases, the people in them, consent, safety assessments and the timeline.

Contact details, safety notes, assessment answers and offence summaries are encrypted at
rest (EncryptedTextField); names and dates of birth stay searchable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.cases.stages import Outcome, Stage
from mend.core.fields import EncryptedTextField
from mend.core.languages import validate_language
from mend.core.search import folded
from mend.programs.models import Agency, OffenceCategory, ProcessType, Program

USER = settings.AUTH_USER_MODEL


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Letter by post")
    IN_PERSON = "in_person", _("In person")
    VIA_SUPPORT = "via_support", _("Through a support worker")


class Person(models.Model):
    """Someone involved in one or more cases of a program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # A language code (mend.core.languages); rows from before codes may hold a name.
    preferred_language = models.CharField(
        _("preferred language"), max_length=40, blank=True, validators=[validate_language]
    )
    accessibility_needs = EncryptedTextField(_("accessibility needs"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact method"), max_length=20, choices=ContactMethod.choices, blank=True
    )
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    # The full name as a search compares it (mend.core.search.folded), set on every save;
    # on PostgreSQL a trigram index serves "contains" (migration 0010).
    search_name = models.CharField(
        _("name as searched"), max_length=201, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["program", "family_name", "given_name"], name="person_name"),
            models.Index(fields=["program", "date_of_birth"], name="person_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = folded(self.full_name)
        fields = kwargs.get("update_fields")
        if fields is not None and {"given_name", "family_name"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        age = self.age_on(timezone.localdate())
        return age is not None and age < 18


class JusticeStage(models.TextChoices):
    COMMUNITY = "community", _("Community or school")
    PRE_CHARGE = "pre_charge", _("Pre-charge diversion")
    POST_CHARGE = "post_charge", _("Post-charge")
    PRE_SENTENCE = "pre_sentence", _("Pre-sentence")
    POST_SENTENCE = "post_sentence", _("Post-sentence or custody")


class Referral(models.Model):
    """What a referrer sent, and the program's decision on it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SCREENING = "screening", _("Being screened")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Does not meet the eligibility criteria")
        EXCLUDED_OFFENCE = "excluded_offence", _("Offence type not accepted")
        NO_ADMISSION = "no_admission", _("Responsibility not acknowledged")
        NOT_WILLING = "not_willing", _("A party is not willing")
        REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred to another service")
        DUPLICATE = "duplicate", _("Duplicate referral")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        FORM = "form", _("Referral form")
        API = "api", _("Partner system")
        IMPORT = "import", _("File import")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("referring agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    referrer_name = models.CharField(_("referrer's name"), max_length=200)
    referrer_email = models.EmailField(_("referrer's e-mail"), blank=True)
    referrer_phone = models.CharField(_("referrer's phone"), max_length=40, blank=True)
    referrer_staff_id = models.CharField(_("badge or staff number"), max_length=40, blank=True)
    incident_reference = models.CharField(_("incident or crime reference"), max_length=60)
    incident_date = models.DateField(_("incident date"))
    offence_category = models.ForeignKey(
        OffenceCategory, verbose_name=_("offence category"), on_delete=models.PROTECT
    )
    summary = EncryptedTextField(_("what happened"), blank=True)
    justice_stage = models.CharField(
        _("where the matter stands"), max_length=20, choices=JusticeStage.choices
    )
    # Where it happened, as the referrer names it: for reports by place, never an address.
    area = models.CharField(_("area or neighbourhood"), max_length=80, blank=True)
    precinct = models.CharField(_("police precinct or beat"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    decline_reason = models.CharField(
        _("reason declined"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decision_note = EncryptedTextField(_("decision notes (staff only)"), blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["program", "status"], name="referral_status"),
            models.Index(fields=["agency", "-created_at"], name="referral_agency"),
            models.Index(fields=["program", "incident_reference"], name="referral_incident"),
            # Reports count a program's referrals by the day they were received.
            models.Index(fields=["program", "created_at"], name="referral_received"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_reference} ({self.get_status_display()})"

    class FollowStatus(models.TextChoices):
        """What a referrer (or a partner system) is told about the referral."""

        RECEIVED = "received", _("Received")
        SCREENING = "screening", _("Being screened")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IN_PROGRESS = "in_progress", _("Restorative process under way")
        # Every party agreed to what will be done; it is being followed up.
        AGREEMENT_REACHED = "agreement_reached", _("Agreement reached")
        CLOSED = "closed", _("Closed")

    @property
    def follow_status(self) -> str:
        if self.status == self.Status.DECLINED:
            return self.FollowStatus.DECLINED
        stage = self.case.stage
        if stage in (Stage.CLOSED, Stage.WITHDRAWN):
            return self.FollowStatus.CLOSED
        if stage in (Stage.PROCESS, Stage.AGREEMENT):
            if self.case.agreement_reached_on is not None:
                return self.FollowStatus.AGREEMENT_REACHED
            return self.FollowStatus.IN_PROGRESS
        return self.status

    def get_follow_status_display(self) -> str:
        return str(self.FollowStatus(self.follow_status).label)

    @property
    def follow_outcome(self) -> str:
        """The decline reason or closure outcome category, never the notes behind it."""
        if self.status == self.Status.DECLINED:
            return str(self.DeclineReason(self.decline_reason).label) if self.decline_reason else ""
        outcome = self.case.outcome
        return str(Outcome(outcome).label) if outcome else ""


class Case(models.Model):
    class Eligibility(models.TextChoices):
        PENDING = "pending", _("Not decided")
        PASSED = "passed", _("Eligible")
        FAILED = "failed", _("Not eligible")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    reference = models.CharField(_("reference"), max_length=30)
    # Reference parts: PREFIX-<year>-<number>, numbered per program and year.
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    offence_category = models.ForeignKey(
        OffenceCategory, verbose_name=_("offence category"), on_delete=models.PROTECT
    )
    lead_facilitator = models.ForeignKey(
        USER,
        verbose_name=_("lead facilitator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    eligibility = models.CharField(
        _("eligibility"), max_length=8, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    planned_process = models.CharField(
        _("planned restorative process"), max_length=20, choices=ProcessType.choices, blank=True
    )
    paused_from = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    paused_by = models.ForeignKey(
        "Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The day every party first agreed to an agreement (apps built on cases record it).
    agreement_reached_on = models.DateField(_("agreement reached on"), null=True, blank=True)
    # Shown to the case team after an automatic move back, or when the conditions for
    # contact stop holding: codes and ids (mend.cases.notices), worded when read.
    alert = models.JSONField(default=dict, blank=True)
    # Optimistic concurrency: each write bumps it; a stale form is refused, not applied.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "reference"], name="case_reference_unique_in_program"
            ),
            models.UniqueConstraint(
                fields=["program", "year", "number"], name="case_number_unique_in_program"
            ),
            # Every ended case says how it ended.
            models.CheckConstraint(
                condition=~models.Q(stage__in=["closed", "withdrawn"]) | ~models.Q(outcome=""),
                name="ended_case_has_outcome",
            ),
        ]
        indexes = [
            # Stage first, then the day: "the oldest open referrals" is a short range scan.
            models.Index(fields=["program", "stage", "created_at"], name="case_stage_created"),
            models.Index(fields=["program", "-created_at"], name="case_created"),
            models.Index(fields=["lead_facilitator", "stage"], name="case_lead"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.reference])


class CaseAssignment(models.Model):
    """Co-facilitators and volunteers working on a case besides the lead."""

    class Role(models.TextChoices):
        CO_FACILITATOR = "co_facilitator", _("Co-facilitator")
        VOLUNTEER = "volunteer", _("Volunteer")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_assignment_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class DecisionMethod(models.TextChoices):
    """How a person told the program a decision (consent, withdrawal)."""

    WRITTEN = "written", _("In writing")
    VERBAL = "verbal", _("Verbally")
    PORTAL = "portal", _("Through the participant portal")


class Participant(models.Model):
    class Role(models.TextChoices):
        HARMED = "harmed", _("Harmed party")
        RESPONSIBLE = "responsible", _("Responsible party")
        SUPPORTER = "supporter", _("Support person")
        GUARDIAN = "guardian", _("Parent or guardian")
        COMMUNITY = "community", _("Community member")
        INTERPRETER = "interpreter", _("Interpreter")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class WithdrawalReason(models.TextChoices):
        """Why someone withdrew, as a code the reports can count; what they said in
        their own words stays in the encrypted withdrawal_reason beside it."""

        NOT_READY = "not_ready", _("Not ready, or not the right time")
        MOVED_ON = "moved_on", _("Wants to put it behind them")
        SAFETY = "safety", _("Worried about their safety or wellbeing")
        PROCESS = "process", _("Unhappy with the process")
        OTHER_PARTY = "other_party", _("Because of the other party")
        COURT = "court", _("Prefers the matter to go to court")
        CIRCUMSTANCES = "circumstances", _("A change in their circumstances")
        STOPPED_REPLYING = "stopped_replying", _("Stopped replying")
        NOT_SAID = "not_said", _("Did not say")
        OTHER = "other", _("Another reason")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    # A support person or guardian is linked to the participant they support.
    supports = models.ForeignKey(
        "self",
        verbose_name=_("supports"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supporters",
    )
    takes_part = models.BooleanField(_("will take part in the process"), default=True)
    # Named by the referrer (shown back to them); people the program adds later are not.
    named_in_referral = models.BooleanField(default=False)
    # A volunteer asked to contact this person sees their contact details.
    contact_by = models.ForeignKey(
        USER,
        verbose_name=_("contacted by (volunteer)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people_to_contact",
    )
    # For responsible parties: what the referrer reported (None: not known yet).
    admits_responsibility = models.BooleanField(
        _("admits responsibility or the basic facts"), null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_method = models.CharField(max_length=20, choices=DecisionMethod.choices, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = EncryptedTextField(blank=True)
    withdrawal_reason_code = models.CharField(
        _("why they withdrew"), max_length=20, choices=WithdrawalReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["role", "id"]
        indexes = [models.Index(fields=["case", "role", "status"], name="participant_role")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"

    @property
    def is_party(self) -> bool:
        return self.role in (self.Role.HARMED, self.Role.RESPONSIBLE)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ConsentEntry(models.Model):
    """One dated entry in a participant's consent ledger. Never edited: a change is a new entry."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        # Asked, and said no. "Not asked yet" is the absence of any entry.
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    Method = DecisionMethod

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consent_entries"
    )
    purpose = models.CharField(_("purpose"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    # For a minor, a parent or guardian's consent is recorded on the minor's ledger too.
    guardian = models.ForeignKey(
        Participant,
        verbose_name=_("given by parent or guardian"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_given_for_others",
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    decided_on = models.DateField(_("date"))
    note = EncryptedTextField(_("note"), blank=True)
    # Written by withdraw_participant for every consent the person had given.
    on_withdrawal = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent entry")
        verbose_name_plural = _("consent entries")
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["participant", "purpose", "recorded_at"], name="consent_ledger"),
            # The reports read decisions by the day they were made.
            models.Index(fields=["decided_on"], name="consent_decided_on"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.decision}"


class SafetyAssessment(models.Model):
    class Result(models.TextChoices):
        SUITABLE = "suitable", _("Suitable")
        WITH_CONDITIONS = "with_conditions", _("Suitable with conditions")
        NOT_SUITABLE = "not_suitable", _("Not suitable")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    conditions = EncryptedTextField(_("conditions"), blank=True)
    # The structured answers, as JSON, encrypted: they describe risks and vulnerabilities.
    answers = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("safety assessment")
        verbose_name_plural = _("safety assessments")
        ordering = ["assessed_on", "id"]
        indexes = [models.Index(fields=["participant", "assessed_on"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.get_result_display()} ({self.assessed_on})"

    @property
    def is_positive(self) -> bool:
        return self.result in (self.Result.SUITABLE, self.Result.WITH_CONDITIONS)


class ProtectiveOrder(models.Model):
    """A no-contact or protective order, or a bail or licence condition, on a participant.

    While it is active (started and not yet ended, on the program's clock) no joint
    meeting includes the person, unless a coordinator records, with a reason, that the
    order permits it. The order's terms and that reason are encrypted.
    """

    class Kind(models.TextChoices):
        NO_CONTACT = "no_contact", _("No-contact order")
        PROTECTIVE = "protective", _("Protective order")
        BAIL_OR_LICENCE = "bail_or_licence", _("Bail or licence condition")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(_("kind of order"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    # The first day it no longer applies; empty while nobody knows when it ends.
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    notes = EncryptedTextField(_("terms and notes"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A coordinator's record that the order allows the person to meet the others.
    permits_meeting_reason = EncryptedTextField(_("why the order permits a meeting"), blank=True)
    permitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    permitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("protective order")
        verbose_name_plural = _("protective orders")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="order_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on})"

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)

    @property
    def permits_meeting(self) -> bool:
        return self.permitted_at is not None


class RJOffer(models.Model):
    """Each time restorative justice was offered to a harmed party."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        VIA_REFERRER = "via_referrer", _("Through the referrer")

    class Response(models.TextChoices):
        INTERESTED = "interested", _("Interested")
        CONSIDERING = "considering", _("Thinking about it")
        DECLINED = "declined", _("Not interested")
        NO_RESPONSE = "no_response", _("No response yet")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="offers")
    offered_on = models.DateField(_("offered on"))
    offered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("restorative justice offer")
        verbose_name_plural = _("restorative justice offers")
        ordering = ["offered_on", "id"]
        # The reports read offers by the day they were made.
        indexes = [models.Index(fields=["offered_on"], name="offer_offered_on")]

    def __str__(self) -> str:
        return f"{self.offered_on} {self.get_channel_display()}"


class EligibilityDecision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="eligibility_decisions")
    passed = models.BooleanField()
    # criterion code -> met (bool), as the checklist stood when decided.
    answers = models.JSONField(default=dict)
    reason = EncryptedTextField(_("reason"))
    override_justification = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{'passed' if self.passed else 'failed'} {self.decided_at:%Y-%m-%d}"


class Note(models.Model):
    """A note or a contact attempt on the case timeline."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CONTACT = "contact", _("Contact attempt")
        SYSTEM = "system", _("Automatic notice")

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")

    class ContactOutcome(models.TextChoices):
        REACHED = "reached", _("Spoke with them")
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        WRONG_DETAILS = "wrong_details", _("Wrong contact details")
        SENT = "sent", _("Sent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    contact_outcome = models.CharField(max_length=15, choices=ContactOutcome.choices, blank=True)
    body = EncryptedTextField(_("note"), blank=True)
    # For automatic notices: what happened, as codes and ids, worded when read.
    notice = models.JSONField(default=dict, blank=True)
    # Restricted notes: only the lead facilitator and coordinators see them.
    restricted = models.BooleanField(_("restricted"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="note_timeline"),
            # The reports read contact attempts by the day they were recorded.
            models.Index(fields=["kind", "created_at"], name="note_kind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class StageChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # What the person who made the move wrote.
    reason = EncryptedTextField(blank=True)
    # Why the move was made for them (automatic moves, declines): codes and ids.
    notice = models.JSONField(default=dict, blank=True)
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="stage_change_case")]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"


class ReferralMessage(models.Model):
    """Information the referrer added to their referral after sending it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message from the referrer")
        verbose_name_plural = _("messages from the referrer")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="referral_message")]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.created_at:%Y-%m-%d}"

"""Agreements made in a restorative process, and the follow-up that proves them kept.

An agreement belongs to one responsible party in one case. It is made of terms, each
serving a harmed party (or the community), due on a date and watched by a monitor.
Reconvening makes a new version and keeps the old one, superseded.

Money is Decimal with two places, never float. Ledgers only grow: a payment is never
edited, a mistake is put right by a correction that reverses it exactly.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case, Participant
from mend.core.fields import EncryptedTextField
from mend.processes.models import Letter, Meeting
from mend.programs.models import Program

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")


class AgreementSettings(models.Model):
    """A program's choices about agreements: fees, reminders, what a referrer may read."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="agreement_settings"
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # Days before a term's due date that its monitor is reminded.
    reminder_days = models.PositiveSmallIntegerField(
        _("remind monitors this many days before"), default=7
    )
    charges_fees = models.BooleanField(_("the program charges participation fees"), default=False)
    standard_fee = models.DecimalField(
        _("standard fee"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    # Term kinds whose existence (never their details) the referrer's report may list.
    kinds_shared_with_referrer = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("agreement settings")
        verbose_name_plural = _("agreement settings")

    def __str__(self) -> str:
        return f"agreement settings of {self.program_id}"


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: not yet agreed by every party")
        BINDING = "binding", _("Agreed by every party")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        SUPERSEDED = "superseded", _("Replaced by a later version")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    responsible = models.ForeignKey(
        Participant,
        verbose_name=_("responsible party"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    # The meeting the plan was made in (None for an agreement reached by letters).
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Why the parties met again (on a new version).
    reconvene_reason = EncryptedTextField(_("why the parties reconvened"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(_("agreed by every party on"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["case_id", "responsible_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "responsible", "number"], name="agreement_version_once"
            ),
            models.UniqueConstraint(
                fields=["case", "responsible"],
                condition=~models.Q(status="superseded"),
                name="one_current_agreement_per_party",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="agreement_status")]

    def __str__(self) -> str:
        return f"agreement {self.number} of {self.responsible_id} in case {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.SUPERSEDED

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.BINDING


class Placement(models.Model):
    """A worksite of a partner organisation where community service is done."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="placements")
    organisation = models.CharField(_("partner organisation"), max_length=160)
    name = models.CharField(_("worksite"), max_length=160)
    # The worksite's own address: a public place of work, not anyone's home.
    address = models.TextField(_("address"), blank=True)
    contact_name = models.CharField(_("contact at the placement"), max_length=160)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=40, blank=True)
    # Weekly schedule: [{"weekday": 0-6, "from": "09:00", "until": "13:00"}, ...]
    schedule = models.JSONField(_("weekly schedule"), default=list, blank=True)
    is_active = models.BooleanField(_("taking people"), default=True)
    # The SHA-256 of the placement's verification link token ("" until one is made).
    verify_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["organisation", "name", "id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"


class Term(models.Model):
    class Kind(models.TextChoices):
        APOLOGY_SPOKEN = "apology_spoken", _("Apology, spoken")
        APOLOGY_WRITTEN = "apology_written", _("Apology, written")
        RESTITUTION = "restitution", _("Restitution")
        COMMUNITY_SERVICE = "community_service", _("Community service")
        PROGRAM = "program", _("Taking part in a program")
        REPARATIVE_ACT = "reparative_act", _("Reparative act")
        BEHAVIOUR = "behaviour", _("Behavioural commitment")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        RENEGOTIATED = "renegotiated", _("Renegotiated")
        WAIVED = "waived", _("Waived")

    class ProgramKind(models.TextChoices):
        SUBSTANCE_USE = "substance_use", _("Substance use")
        ANGER_MANAGEMENT = "anger_management", _("Anger management")
        EDUCATION = "education", _("Education")
        MENTORING = "mentoring", _("Mentoring")
        OTHER = "other", _("Other program")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind of term"), max_length=20, choices=Kind.choices)
    # The harmed party this term serves; None: it serves the community.
    serves = models.ForeignKey(
        Participant,
        verbose_name=_("serves"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms_serving",
    )
    description = EncryptedTextField(_("what was agreed"))
    due_on = models.DateField(_("due by"), null=True, blank=True)
    monitor = models.ForeignKey(
        USER,
        verbose_name=_("monitor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_terms",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    status_reason = EncryptedTextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # A renegotiated term points to the term that took its place.
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    # Restitution.
    amount = models.DecimalField(
        _("amount"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    payee = EncryptedTextField(_("paid to"), blank=True)
    # Community service, in minutes so hours add up to the minute.
    service_minutes = models.PositiveIntegerField(
        _("service time in minutes"), null=True, blank=True
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    # Taking part in a program, and the provider's confirmation.
    program_kind = models.CharField(
        _("kind of program"), max_length=20, choices=ProgramKind.choices, blank=True
    )
    provider = models.CharField(_("provider"), max_length=160, blank=True)
    confirmed_by = models.CharField(_("confirmed by (at the provider)"), max_length=160, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    # A written apology is a letter, reviewed and delivered through the letter workflow.
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    # The day a reminder or overdue alert was last sent, so each goes once.
    reminded_on = models.DateField(null=True, blank=True)
    overdue_alerted_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["agreement_id", "position", "id"]
        indexes = [
            models.Index(fields=["monitor", "status"], name="term_monitor"),
            models.Index(fields=["status", "due_on"], name="term_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="term_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (term {self.pk})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.IN_PROGRESS)


class Instalment(models.Model):
    """One instalment of a restitution term's schedule."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["term_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} due {self.due_on}"


class Signature(models.Model):
    """One party's agreement to one version of an agreement."""

    class Method(models.TextChoices):
        ON_SCREEN = "on_screen", _("Signed on screen")
        SCANNED = "scanned", _("Signed copy uploaded")
        VERBAL = "verbal", _("Agreed verbally, witnessed by the facilitator")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how they agreed"), max_length=10, choices=Method.choices)
    agreed_on = models.DateField(_("agreed on"))
    # On screen: the name they typed. Encrypted, as any name is.
    signed_name = EncryptedTextField(_("name as signed"), blank=True)
    # A scanned copy: the sealed file's name in private storage.
    scan_name = models.CharField(max_length=200, blank=True)
    scan_type = models.CharField(max_length=100, blank=True)
    witnessed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["agreement_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "participant"], name="signs_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} agreed to {self.agreement_id}"


class Payment(models.Model):
    """An entry of a restitution term's ledger: a payment, or a correction reversing one."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        CORRECTION = "correction", _("Correction")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD = "card", _("Card")
        MONEY_ORDER = "money_order", _("Money order")
        OTHER = "other", _("Other")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    # Positive for a payment; a correction carries minus the amount it reverses.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True)
    receipt = models.CharField(_("receipt reference"), max_length=80, blank=True)
    # Recorded knowingly as more than what was still owed.
    overpayment = models.BooleanField(_("recorded as an overpayment"), default=False)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = EncryptedTextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["term_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="payment", amount__gt=0, reverses__isnull=True))
                | (models.Q(kind="correction", amount__lt=0, reverses__isnull=False)),
                name="payment_or_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.paid_on}"


class ServiceSession(models.Model):
    """One session of community service at a placement, checked in and out."""

    class VerifiedVia(models.TextChoices):
        PLACEMENT = "placement", _("By the placement")
        ON_BEHALF = "on_behalf", _("By a coordinator on the placement's behalf")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions")
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="sessions")
    on = models.DateField(_("date"))
    checked_in = models.TimeField(_("checked in"))
    checked_out = models.TimeField(_("checked out"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes worked"), null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_via = models.CharField(max_length=10, choices=VerifiedVia.choices, blank=True)
    verified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The name of the placement's contact who confirmed the hours.
    verifier_name = models.CharField(_("confirmed by"), max_length=160, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service session")
        verbose_name_plural = _("service sessions")
        ordering = ["term_id", "on", "checked_in", "id"]
        indexes = [models.Index(fields=["placement", "verified_at"], name="session_to_verify")]

    def __str__(self) -> str:
        return f"service on {self.on} (term {self.term_id})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class ServiceIncident(models.Model):
    """A warning or violation at a placement."""

    class Severity(models.TextChoices):
        WARNING = "warning", _("Warning")
        VIOLATION = "violation", _("Violation")

    class Category(models.TextChoices):
        LATE = "late", _("Late")
        ABSENT = "absent", _("Did not come")
        CONDUCT = "conduct", _("Conduct")
        SAFETY = "safety", _("Safety")
        OTHER = "other", _("Other")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="incidents")
    session = models.ForeignKey(
        ServiceSession, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    on = models.DateField(_("date"))
    text = EncryptedTextField(_("what happened"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("warning or violation")
        verbose_name_plural = _("warnings and violations")
        ordering = ["term_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} on {self.on}"


class FeeEntry(models.Model):
    """The program's own fee ledger for one participant: never restitution to anyone.

    A charge raises what is owed; a payment or a waiver lowers it; a correction reverses
    one earlier entry exactly. A payment plan moves no money (its amount is zero): its note
    says what was agreed, and the latest plan is the one that holds.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Fee charged")
        PAYMENT = "payment", _("Fee paid")
        WAIVER = "waiver", _("Fee waived")
        PLAN = "plan", _("Payment plan")
        CORRECTION = "correction", _("Correction")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fee_entries")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Signed: charges positive, payments and waivers negative; a correction negates another.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    on = models.DateField(_("date"))
    # A charge on the sliding scale names its band; a waiver or plan says why.
    note = EncryptedTextField(_("note"), blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee entry")
        verbose_name_plural = _("fee entries")
        ordering = ["case_id", "participant_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="plan", amount=0)
                | (~models.Q(kind="plan") & ~models.Q(amount=0)),
                name="fee_entry_not_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

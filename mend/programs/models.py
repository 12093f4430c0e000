"""Programs (tenants), the agencies around them, their settings, and who holds which role."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Collection
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mend.core.fields import CodeListField
from mend.programs.roles import Role, role_can


def _valid_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, such as Europe/London."))


class ProcessType(models.TextChoices):
    PREPARATION = "preparation", _("Preparation meeting")
    MEDIATION = "mediation", _("Victim-offender mediation")
    CONFERENCE = "conference", _("Restorative conference")
    CIRCLE = "circle", _("Restorative circle")
    COMMUNITY_PANEL = "community_panel", _("Community panel")
    SHUTTLE = "shuttle", _("Shuttle mediation")
    LETTER_EXCHANGE = "letter_exchange", _("Letter exchange")
    POLICE_COMMUNITY = "police_community", _("Police-community process")


class ConsentPurpose(models.TextChoices):
    CONTACT = "contact", _("To be contacted")
    SHARE_INFORMATION = "share_information", _("To share information with the other party")
    INDIRECT = "indirect", _("To take part in indirect communication")
    FACE_TO_FACE = "face_to_face", _("To meet face to face")
    EVALUATION = "evaluation", _("To be contacted for evaluation")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def known_codes(value: Any, known: Collection[str]) -> list[str]:
    """The known codes in a stored list, once each, in order; anything else is ignored.

    Readers use this so that a bad value saved somehow (a hand-edited row, an old code)
    narrows what is offered instead of breaking a page.
    """
    if not isinstance(value, list):
        return []
    found: list[str] = []
    for item in value:
        if isinstance(item, str) and item in known and item not in found:
            found.append(item)
    return found


def check_codes(value: Any, known: Collection[str]) -> None:
    """Refuse anything but a flat list of known codes, each once."""
    example = ", ".join(f'"{code}"' for code in list(known)[:2])
    if not isinstance(value, list):
        raise ValidationError(
            _("Give a list of codes, such as [%(example)s]."),
            code="not_a_list",
            params={"example": example},
        )
    for item in value:
        if not isinstance(item, str):
            # Checked before anything else looks inside: a nested list stops here.
            raise ValidationError(
                _("Each entry must be a code in quotes, such as %(example)s."),
                code="not_a_code",
                params={"example": example},
            )
    unknown = sorted({item for item in value if item not in known})
    if unknown:
        raise ValidationError(
            ngettext(
                "Unknown code: %(codes)s. Known codes: %(known)s.",
                "Unknown codes: %(codes)s. Known codes: %(known)s.",
                len(unknown),
            ),
            code="unknown_code",
            params={"codes": ", ".join(unknown), "known": ", ".join(known)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Give each code only once."), code="repeated_code")


def valid_languages(value: Any) -> None:
    check_codes(value, language_codes())


def valid_process_types(value: Any) -> None:
    check_codes(value, ProcessType.values)


def valid_consent_purposes(value: Any) -> None:
    check_codes(value, ConsentPurpose.values)


def in_reader_language(label: str, label_es: str) -> str:
    """The Spanish label for a Spanish reader when there is one; else the catalogue's."""
    if label_es and (translation.get_language() or "").startswith("es"):
        return label_es
    # The default labels are in the catalogue, so they read in Spanish even without one.
    return gettext(label) if label else label


class Program(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    # Case references start with this, e.g. DEMO-2026-0042.
    reference_prefix = models.CharField(_("case reference prefix"), max_length=12)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[_valid_time_zone]
    )
    languages = CodeListField(_("languages offered"), default=list, validators=[valid_languages])
    require_mfa = models.BooleanField(
        _("require two-factor sign-in for everyone in this program"), default=True
    )
    process_types = CodeListField(
        _("processes offered"), default=list, validators=[valid_process_types]
    )
    consent_purposes = CodeListField(
        _("consent purposes"), default=list, validators=[valid_consent_purposes]
    )
    assessment_validity_days = models.PositiveSmallIntegerField(
        _("safety assessment stays current for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    rj_offer_deadline_working_days = models.PositiveSmallIntegerField(
        _("offer restorative justice within (working days of referral)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # Invitees who chose e-mail are reminded this many days before a meeting; 0: never.
    reminder_days = models.PositiveSmallIntegerField(
        _("remind invitees of a meeting (days before)"),
        default=2,
        validators=[MaxValueValidator(14)],
    )
    # Shown to referrers on their referral page, so they know whom to call.
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Goes up with every change to the program's configuration; each settings form sends
    # back the version it was opened on, so a colleague's change is never overwritten.
    version = models.PositiveIntegerField(default=1, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def offered_languages(self) -> list[str]:
        return known_codes(self.languages, language_codes())

    @property
    def offered_processes(self) -> list[str]:
        return known_codes(self.process_types, ProcessType.values)

    @property
    def offered_purposes(self) -> list[str]:
        return known_codes(self.consent_purposes, ConsentPurpose.values)

    def clean(self) -> None:
        from mend.programs.practice import missing_purposes

        problems = missing_purposes(self.offered_processes, self.offered_purposes)
        if problems:
            raise ValidationError({"consent_purposes": problems})


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        COURT = "court", _("Court")
        SCHOOL = "school", _("School")
        PROBATION = "probation", _("Probation")
        VICTIM_SERVICES = "victim_services", _("Victim services")
        COMMUNITY = "community", _("Community organisation")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    refers_cases = models.BooleanField(_("refers cases"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="agency_name_unique_in_program"
            )
        ]

    def __str__(self) -> str:
        return self.name


def _refuse_a_second_label(record: models.Model, siblings: models.QuerySet) -> None:  # type: ignore[type-arg]
    """Two categories (or questions) with the same words would look like one on the forms."""
    errors = {}
    others = siblings.exclude(pk=record.pk)
    for field in ("label", "label_es"):
        value = getattr(record, field).strip()
        if value and (
            others.filter(label__iexact=value).exists()
            or others.filter(label_es__iexact=value).exists()
        ):
            errors[field] = _("The program already has one with these words.")
    if errors:
        raise ValidationError(errors)


class OffenceCategory(models.Model):
    class Handling(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        SPECIALIST_ONLY = "specialist_only", _("Specialist only")
        EXCLUDED = "excluded", _("Excluded")

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="offence_categories",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    label_es = models.CharField(_("label in Spanish"), max_length=120, blank=True)
    handling = models.CharField(
        _("handling"), max_length=20, choices=Handling.choices, default=Handling.ELIGIBLE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("offence category")
        verbose_name_plural = _("offence categories")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"], name="offence_category_code_unique_in_program"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.program_id is not None:
            _refuse_a_second_label(self, OffenceCategory.objects.filter(program_id=self.program_id))

    @property
    def display_label(self) -> str:
        return in_reader_language(self.label, self.label_es)


class EligibilityCriterion(models.Model):
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="eligibility_criteria",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=300)
    label_es = models.CharField(_("question in Spanish"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"], name="eligibility_code_unique_in_program"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.program_id is not None:
            siblings = EligibilityCriterion.objects.filter(program_id=self.program_id)
            _refuse_a_second_label(self, siblings)

    @property
    def display_label(self) -> str:
        return in_reader_language(self.label, self.label_es)


# From a month to fifty years: longer than any record schedule asks for.
RETENTION_MIN_MONTHS = 1
RETENTION_MAX_MONTHS = 600


class RetentionRule(models.Model):
    class Category(models.TextChoices):
        CLOSED_CASE = "closed_case", _("Closed case records")
        DECLINED_REFERRAL = "declined_referral", _("Declined referrals")
        AUDIT_TRAIL = "audit_trail", _("Audit trail")
        EVALUATION = "evaluation", _("Evaluation and survey answers")

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="retention_rules",
    )
    category = models.CharField(_("records"), max_length=30, choices=Category.choices)
    keep_for_months = models.PositiveSmallIntegerField(
        _("keep for (months)"),
        validators=[
            MinValueValidator(RETENTION_MIN_MONTHS),
            MaxValueValidator(RETENTION_MAX_MONTHS),
        ],
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "category"], name="retention_category_unique_in_program"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.keep_for_months}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        today = on or timezone.localdate()
        return self.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            ended_at__isnull=True,
            starts_on__lte=today,
            program__is_active=True,
        )


class Membership(models.Model):
    """One person's role in one program. Ending it keeps the row, for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Required for referrers: the agency they refer for."),
    )
    # Cases in specialist-only offence categories (domestic abuse by default) may be led
    # only by someone the program marks as a specialist.
    is_specialist = models.BooleanField(
        _("specialist practitioner"),
        default=False,
        help_text=_("May lead cases in offence categories marked specialist only."),
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["program__name", "role"]
        constraints = [
            # One current role per person per program; ended memberships stay as history.
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=Q(ended_at__isnull=True),
                name="one_current_membership_per_program",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.REFERRER) | Q(agency__isnull=False),
                name="referrer_membership_has_agency",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"], name="membership_user_current")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.program}"

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability)

    def is_current(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return (
            self.ended_at is None
            and self.starts_on <= today
            and (self.expires_on is None or self.expires_on >= today)
        )


class Invitation(models.Model):
    """An offer of a role, sent as a one-time link, so administrators never look people up.

    Only the SHA-256 of the link's token is kept: the link is shown once, to whoever
    created it, and perhaps e-mailed to the person invited.
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True
    )
    # When the role it grants ends (optional); the link itself is valid until valid_until.
    expires_on = models.DateField(_("role expires on"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    valid_until = models.DateTimeField(_("link valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.full_name} - {self.get_role_display()} - {self.program}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()

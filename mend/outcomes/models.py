"""A program's choices about reporting. The figures themselves are never stored: they are
counted from the records each time (mend.outcomes.measures)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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

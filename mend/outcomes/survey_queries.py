"""Reads about surveys for the staff pages: the invitations sent, with their status, and
response rates for a period. Everything is scoped to the reader's program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Participant
from mend.outcomes.models import SurveyInvitation, SurveyKind
from mend.outcomes.periods import Period, bounds
from mend.programs.models import Program

SENT, REMINDED, ANSWERED, EXPIRED = "sent", "reminded", "answered", "expired"
STATUS_WORDS = {
    SENT: _("Sent"),
    REMINDED: _("Reminded"),
    ANSWERED: _("Answered"),
    EXPIRED: _("Expired"),
}


def status_of(invitation: SurveyInvitation, now: datetime | None = None) -> str:
    if invitation.answered:
        return ANSWERED
    if invitation.expires_at <= (now or timezone.now()):
        return EXPIRED
    return REMINDED if invitation.reminded_at else SENT


def invitations_of(program: Program) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(program=program).select_related(
        "participant__person", "participant__case", "version"
    )


def invitation_for(program: Program, invitation_id: int) -> SurveyInvitation | None:
    return invitations_of(program).filter(pk=invitation_id).first()


def sent_in(program: Program, period: Period) -> QuerySet[SurveyInvitation]:
    start, end = bounds(period, program)
    return SurveyInvitation.objects.filter(program=program, sent_at__gte=start, sent_at__lt=end)


@dataclass(frozen=True)
class Rate:
    label: str
    sent: int
    answered: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.sent) if self.sent else None


def response_rates(program: Program, period: Period) -> tuple[list[Rate], list[Rate]]:
    """Answered / sent for the surveys sent in the period: by kind, and by role."""
    rows = sent_in(program, period).order_by()

    def grouped(column: str, words: dict[str, Any]) -> list[Rate]:
        counts = {
            value: (sent, answered)
            for value, sent, answered in rows.values(column)
            .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
            .values_list(column, "sent", "answered")
        }
        return [
            Rate(str(label), *counts.get(value, (0, 0)))
            for value, label in words.items()
            if value in counts or column == "kind"
        ]

    kinds = grouped("kind", dict(SurveyKind.choices))
    roles = grouped("role", dict(Participant.Role.choices))
    return kinds, roles

"""What needs doing, as querysets: shared by the dashboard panels and the case list, so a
panel's "See all" lists exactly the rows the panel counted."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case, ConsentEntry, Participant, RJOffer, SafetyAssessment
from mend.cases.stages import ENDED, Stage
from mend.programs.models import ConsentPurpose

# Days before the end of its validity that an assessment shows as expiring.
EXPIRY_WARNING_DAYS = 14

NEEDS = {
    "screening": _("Screening (received or being screened)"),
    "offer": _("A restorative justice offer"),
    "consent": _("Consent to be contacted"),
    "assessment": _("A safety assessment expiring soon"),
}


# The stages of a case whose referral still waits for screening.
SCREENING_STAGES: list[str] = [Stage.REFERRAL, Stage.SCREENING]


def waiting_to_screen(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(stage__in=SCREENING_STAGES)


def harmed_without_offer(cases: QuerySet[Case]) -> QuerySet[Participant]:
    return Participant.objects.filter(
        case__in=cases.exclude(stage__in=ENDED),
        role=Participant.Role.HARMED,
        status=Participant.Status.ACTIVE,
    ).filter(~Exists(RJOffer.objects.filter(participant=OuterRef("pk"))))


def without_contact_consent(cases: QuerySet[Case]) -> QuerySet[Participant]:
    """Parties of cases in contact and consent whose own latest word on contact is not yes."""
    latest = (
        ConsentEntry.objects.filter(
            participant=OuterRef("pk"), purpose=ConsentPurpose.CONTACT, guardian=None
        )
        .order_by("-recorded_at", "-id")
        .values("decision")[:1]
    )
    return (
        Participant.objects.filter(
            case__in=cases.filter(stage=Stage.CONTACT),
            role__in=[Participant.Role.HARMED, Participant.Role.RESPONSIBLE],
            status=Participant.Status.ACTIVE,
        )
        .annotate(contact_decision=Subquery(latest))
        .filter(Q(contact_decision__isnull=True) | ~Q(contact_decision=ConsentEntry.Decision.GIVEN))
    )


def assessments_expiring(
    cases: QuerySet[Case], validity_days: int, today: date
) -> QuerySet[SafetyAssessment]:
    newer = SafetyAssessment.objects.filter(
        participant=OuterRef("participant"), assessed_on__gt=OuterRef("assessed_on")
    )
    return SafetyAssessment.objects.filter(
        participant__case__in=cases.exclude(stage__in=ENDED),
        participant__status=Participant.Status.ACTIVE,
        assessed_on__gte=today - timedelta(days=validity_days),
        assessed_on__lte=today - timedelta(days=validity_days - EXPIRY_WARNING_DAYS),
    ).filter(~Exists(newer))


def cases_needing(
    cases: QuerySet[Case], need: str, validity_days: int, today: date
) -> QuerySet[Case]:
    if need == "screening":
        return waiting_to_screen(cases)
    if need == "offer":
        return cases.filter(pk__in=harmed_without_offer(cases).values("case_id"))
    if need == "consent":
        return cases.filter(pk__in=without_contact_consent(cases).values("case_id"))
    if need == "assessment":
        ids = assessments_expiring(cases, validity_days, today).values("participant__case_id")
        return cases.filter(pk__in=ids)
    return cases


def mine(cases: QuerySet[Case], user_id: int) -> QuerySet[Case]:
    return cases.filter(Q(lead_facilitator_id=user_id) | Q(assignments__user_id=user_id)).distinct()

"""Reads that depend on who is asking. Case data is reached through these only."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mend.cases.models import (
    Case,
    ConsentEntry,
    EligibilityDecision,
    Note,
    Participant,
    Referral,
    SafetyAssessment,
)
from mend.cases.rules import CaseFacts
from mend.programs.models import Membership


def cases_visible_to(membership: Membership) -> QuerySet[Case]:
    """Coordinators: every case of the program. Facilitators: cases they lead or co-lead.
    Volunteers: cases assigned to them. Everyone else: none."""
    cases = Case.objects.filter(program_id=membership.program_id)
    if membership.can("cases.view_all"):
        return cases
    if membership.can("cases.view_assigned"):
        return cases.filter(
            Q(lead_facilitator_id=membership.user_id) | Q(assignments__user_id=membership.user_id)
        ).distinct()
    return cases.none()


def get_case_for(membership: Membership, reference: str) -> Case:
    case = (
        cases_visible_to(membership)
        .select_related("program", "offence_category", "lead_facilitator", "referral__agency")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    return case


def referrals_visible_to(membership: Membership) -> QuerySet[Referral]:
    """Referrers see what they or their agency sent; screeners see the program's."""
    referrals = Referral.objects.filter(program_id=membership.program_id)
    if membership.can("referrals.screen"):
        return referrals
    if membership.can("referrals.follow_own"):
        return referrals.filter(
            Q(submitted_by_id=membership.user_id) | Q(agency_id=membership.agency_id)
        )
    return referrals.none()


def get_referral_for(membership: Membership, referral_id: int) -> Referral:
    referral = (
        referrals_visible_to(membership)
        .select_related("agency", "offence_category", "case")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def participants_of(case: Case) -> list[Participant]:
    return list(
        case.participants.select_related("person", "supports__person").order_by("role", "id")
    )


def case_facts(case: Case) -> CaseFacts:
    """Load what the rules need in four queries, whatever the size of the case."""
    participants = participants_of(case)
    ids = [p.pk for p in participants]
    consents: dict[int, list[ConsentEntry]] = defaultdict(list)
    for entry in ConsentEntry.objects.filter(participant_id__in=ids):
        consents[entry.participant_id].append(entry)
    assessments: dict[int, list[SafetyAssessment]] = defaultdict(list)
    for assessment in SafetyAssessment.objects.filter(participant_id__in=ids):
        assessments[assessment.participant_id].append(assessment)
    latest = EligibilityDecision.objects.filter(case=case).order_by("-decided_at", "-id").first()
    return CaseFacts(
        case,
        participants,
        dict(consents),
        dict(assessments),
        timezone.localdate(),
        latest_override=latest.override_justification if latest and latest.passed else "",
    )


def notes_visible_to(membership: Membership, case: Case) -> QuerySet[Note]:
    notes = case.notes.select_related("author", "participant__person")
    sees_restricted = membership.can("cases.view_all") or case.lead_facilitator_id == (
        membership.user_id
    )
    return notes if sees_restricted else notes.filter(restricted=False)


def prefetch_case_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What the case list shows, in a fixed number of queries."""
    return cases.select_related("offence_category", "lead_facilitator").prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.filter(
                role__in=[Participant.Role.HARMED, Participant.Role.RESPONSIBLE]
            ).select_related("person"),
            to_attr="parties",
        )
    )

"""Reads that depend on who is asking. Case data is reached through these only."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mend.cases.models import (
    Case,
    ConsentEntry,
    EligibilityDecision,
    Note,
    Participant,
    ProtectiveOrder,
    Referral,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.rules import CaseFacts, may_contact
from mend.cases.stages import ENDED, Stage
from mend.core.search import folded
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
    """Load what the rules need in a fixed number of queries, whatever the size of the case."""
    participants = participants_of(case)
    ids = [p.pk for p in participants]
    consents: dict[int, list[ConsentEntry]] = defaultdict(list)
    for entry in ConsentEntry.objects.filter(participant_id__in=ids):
        consents[entry.participant_id].append(entry)
    assessments: dict[int, list[SafetyAssessment]] = defaultdict(list)
    for assessment in SafetyAssessment.objects.filter(participant_id__in=ids):
        assessments[assessment.participant_id].append(assessment)
    offers: dict[int, list[RJOffer]] = defaultdict(list)
    for offer in RJOffer.objects.filter(participant_id__in=ids):
        offers[offer.participant_id].append(offer)
    orders: dict[int, list[ProtectiveOrder]] = defaultdict(list)
    for order in ProtectiveOrder.objects.filter(participant_id__in=ids):
        orders[order.participant_id].append(order)
    latest = EligibilityDecision.objects.filter(case=case).order_by("-decided_at", "-id").first()
    lead_is_specialist = bool(
        case.lead_facilitator_id
        and Membership.objects.active()
        .filter(program_id=case.program_id, user_id=case.lead_facilitator_id, is_specialist=True)
        .exists()
    )
    return CaseFacts(
        case,
        participants,
        dict(consents),
        dict(assessments),
        timezone.localdate(),
        latest_override=latest.override_justification if latest and latest.passed else "",
        offers=dict(offers),
        lead_is_specialist=lead_is_specialist,
        orders=dict(orders),
        local_today=timezone.localdate(timezone=ZoneInfo(case.program.time_zone)),
    )


def sees_contact_details(
    membership: Membership, participant: Participant, facts: CaseFacts
) -> bool:
    """Contact details are for the people who make contact, and nobody else: the case's
    staff, and a volunteer asked to contact this person while contact is allowed."""
    if membership.can("cases.work"):
        return True
    return (
        participant.contact_by_id == membership.user_id and may_contact(facts, participant) is None
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


def with_follow_status(referrals: QuerySet[Referral], status: str) -> QuerySet[Referral]:
    """Referrals whose status as told to the referrer (Referral.follow_status) is `status`."""
    declined = Q(status=Referral.Status.DECLINED)
    ended = Q(case__stage__in=ENDED)
    running = Q(case__stage__in=[Stage.PROCESS, Stage.AGREEMENT])
    agreed = Q(case__agreement_reached_on__isnull=False)
    if status == Referral.FollowStatus.DECLINED:
        return referrals.filter(declined)
    if status == Referral.FollowStatus.CLOSED:
        return referrals.filter(ended).exclude(declined)
    if status == Referral.FollowStatus.IN_PROGRESS:
        return referrals.filter(running).exclude(declined | agreed)
    if status == Referral.FollowStatus.AGREEMENT_REACHED:
        return referrals.filter(running & agreed).exclude(declined)
    if status in Referral.Status.values:
        return referrals.filter(status=status).exclude(ended | running)
    return referrals


def cases_matching(cases: QuerySet[Case], text: str, program_id: int) -> QuerySet[Case]:
    """Cases where someone's name holds the text, accents and case aside, or, when the
    text holds a digit (as every reference does), whose reference holds it. Each part is
    indexed on PostgreSQL (cases migration 0010); a name alone is one indexed query."""
    text = text.strip()
    people = Participant.objects.filter(
        person__program_id=program_id, person__search_name__contains=folded(text)
    ).values("case_id")
    if any(c.isdigit() for c in text):
        return cases.filter(Q(reference__icontains=text) | Q(pk__in=people))
    return cases.filter(pk__in=people)

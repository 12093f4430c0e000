"""Who may take which document: each a read through the cases' scoping queries, and a
404 for anything the reader may not see (another program's case, an unseen case, someone
who is not a party, a report of a case not yet closed)."""

from __future__ import annotations

from django.http import Http404

from mend.agreements import services
from mend.agreements.models import Agreement
from mend.cases.models import Case, Participant
from mend.cases.queries import get_case_for, referrals_visible_to
from mend.cases.stages import ENDED
from mend.programs.models import Membership

PARTIES = [Participant.Role.HARMED, Participant.Role.RESPONSIBLE]


def agreement_for(membership: Membership, reference: str, agreement_id: int) -> Agreement:
    case = get_case_for(membership, reference)
    agreement = Agreement.objects.filter(pk=agreement_id, case=case).first()
    if agreement is None:
        raise Http404
    agreement.case = case
    return agreement


def signer_of(agreement: Agreement, participant_id: int) -> Participant:
    """One of those who must agree to the agreement; 404 for anyone else."""
    for person in services.signers(agreement):
        if person.pk == participant_id:
            return person
    raise Http404


def ended_case_for(membership: Membership, reference: str) -> Case:
    case = get_case_for(membership, reference)
    if case.stage not in ENDED:
        raise Http404
    return case


def party_of(case: Case, participant_id: int) -> Participant:
    """A harmed or responsible party of the case; 404 for anyone else."""
    party = (
        Participant.objects.filter(case=case, pk=participant_id, role__in=PARTIES)
        .select_related("person")
        .first()
    )
    if party is None:
        raise Http404
    return party


def parties_of(case: Case) -> list[Participant]:
    return list(
        Participant.objects.filter(case=case, role__in=PARTIES)
        .select_related("person")
        .order_by("role", "id")
    )


def referred_case_for(membership: Membership, reference: str) -> Case:
    """For a referrer: the ended case of a referral they follow; 404 for any other."""
    referral = (
        referrals_visible_to(membership)
        .filter(case__reference=reference, case__stage__in=ENDED)
        .select_related("case__program", "agency")
        .first()
    )
    if referral is None:
        raise Http404
    case: Case = referral.case
    case.referral = referral
    return case

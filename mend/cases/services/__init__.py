"""Every write to referrals and cases. Each verb audits in its own transaction.

The rules (what blocks a move, current consent, current assessments) live in `rules.py`;
these functions take the case's row lock, check the version the person's form was opened
on, load the facts, ask the rules, and refuse with `Blocked` when a rule says no.
"""

from mend.cases.services.base import (
    Blocked,
    CaseRuleError,
    InvalidMove,
    StaleCase,
    changed,
    lock_case,
)
from mend.cases.services.intake import (
    PartyDetails,
    ReferralDetails,
    ReferrerDetails,
    add_referral_information,
    link_person,
    person_for,
    possible_matches,
    submit_referral,
)
from mend.cases.services.moves import (
    blockers_for,
    close_case,
    decide_eligibility,
    decline_referral,
    enforce_conditions,
    move_case,
    pause_case,
    recheck_for_apps,
    record_agreement_reached,
    resume_case,
    step_back_if_unsafe,
    unsafe_notices,
    withdraw_participant,
)
from mend.cases.services.orders import (
    end_order,
    permit_meeting,
    record_order,
    withdraw_meeting_permission,
)
from mend.cases.services.people import (
    ASSESSMENT_QUESTIONS,
    OfferDetails,
    add_participant,
    assign_contact,
    record_assessment,
    record_consent,
    record_consents,
    record_contact,
    record_rj_offer,
)
from mend.cases.services.team import add_note, assign_team, choose_process, record_case_view

__all__ = [
    "ASSESSMENT_QUESTIONS",
    "Blocked",
    "CaseRuleError",
    "InvalidMove",
    "OfferDetails",
    "PartyDetails",
    "ReferralDetails",
    "ReferrerDetails",
    "StaleCase",
    "add_note",
    "add_participant",
    "add_referral_information",
    "assign_contact",
    "assign_team",
    "blockers_for",
    "changed",
    "choose_process",
    "close_case",
    "decide_eligibility",
    "decline_referral",
    "end_order",
    "enforce_conditions",
    "link_person",
    "lock_case",
    "move_case",
    "pause_case",
    "permit_meeting",
    "person_for",
    "possible_matches",
    "recheck_for_apps",
    "record_agreement_reached",
    "record_assessment",
    "record_case_view",
    "record_consent",
    "record_consents",
    "record_contact",
    "record_order",
    "record_rj_offer",
    "resume_case",
    "step_back_if_unsafe",
    "submit_referral",
    "unsafe_notices",
    "withdraw_meeting_permission",
    "withdraw_participant",
]

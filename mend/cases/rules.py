"""The practice rules, as pure functions over loaded objects.

The case page, the guards in services and the tests all ask these same functions, so what
the user is shown as blocking is exactly what the service enforces.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.utils.translation import gettext as _

from mend.cases.models import (
    Case,
    ConsentEntry,
    Participant,
    SafetyAssessment,
)
from mend.cases.stages import Stage
from mend.programs.models import ConsentPurpose, OffenceCategory
from mend.programs.practice import main_purpose_for_process


def replay_ledger(entries: Iterable[ConsentEntry]) -> dict[tuple[str, bool], bool]:
    """(purpose, given by a guardian?) -> consent given, from the latest entry of each."""
    state: dict[tuple[str, bool], bool] = {}
    for entry in sorted(entries, key=lambda e: (e.recorded_at, e.pk or 0)):
        key = (entry.purpose, entry.guardian_id is not None)
        state[key] = entry.decision == ConsentEntry.Decision.GIVEN
    return state


def has_consent(participant: Participant, purpose: str, entries: Iterable[ConsentEntry]) -> bool:
    """Current consent for a purpose. A minor needs their own and a guardian's."""
    state = replay_ledger(entries)
    own = state.get((purpose, False), False)
    if participant.person.is_minor:
        return own and state.get((purpose, True), False)
    return own


def current_assessment(
    assessments: Iterable[SafetyAssessment], validity_days: int, today: date
) -> SafetyAssessment | None:
    """The latest assessment, if still within the program's validity period."""
    latest = max(assessments, key=lambda a: (a.assessed_on, a.pk or 0), default=None)
    if latest is None or latest.assessed_on + timedelta(days=validity_days) < today:
        return None
    return latest


def purpose_for_process(process: str) -> str:
    return main_purpose_for_process(process)


class CaseFacts:
    """Everything the rules need about one case, loaded once."""

    def __init__(
        self,
        case: Case,
        participants: list[Participant],
        consents: dict[int, list[ConsentEntry]],
        assessments: dict[int, list[SafetyAssessment]],
        today: date,
        latest_override: str = "",
    ) -> None:
        self.case = case
        self.participants = participants
        self.consents = consents
        self.assessments = assessments
        self.today = today
        self.latest_override = latest_override

    def active(self, role: str | None = None) -> list[Participant]:
        return [p for p in self.participants if p.is_active and (role is None or p.role == role)]

    def consent(self, participant: Participant, purpose: str) -> bool:
        # A guardian's consent counts only while that guardian is still in the case.
        active_guardians = {p.pk for p in self.active(Participant.Role.GUARDIAN)}
        entries = [
            e
            for e in self.consents.get(participant.pk, [])
            if e.guardian_id is None or e.guardian_id in active_guardians
        ]
        return has_consent(participant, purpose, entries)

    def assessment(self, participant: Participant) -> SafetyAssessment | None:
        return current_assessment(
            self.assessments.get(participant.pk, []),
            self.case.program.assessment_validity_days,
            self.today,
        )

    def guardians_of(self, participant: Participant) -> list[Participant]:
        return [
            p for p in self.active(Participant.Role.GUARDIAN) if p.supports_id == participant.pk
        ]

    def taking_part(self) -> list[Participant]:
        return [p for p in self.active() if p.takes_part]


def what_blocks(facts: CaseFacts, to: str) -> list[str]:
    """Plain sentences saying why the case cannot move to `to` yet (empty: it can)."""
    case = facts.case
    blockers: list[str] = []
    harmed = facts.active(Participant.Role.HARMED)
    responsible = facts.active(Participant.Role.RESPONSIBLE)
    if to == Stage.CONTACT:
        if case.eligibility != Case.Eligibility.PASSED:
            blockers.append(_("Eligibility has not been confirmed."))
        handling = case.offence_category.handling
        if handling != OffenceCategory.Handling.ELIGIBLE and not facts.latest_override:
            blockers.append(
                _(
                    "The offence category is “%(category)s” (%(handling)s): a coordinator "
                    "must override with a written justification."
                )
                % {
                    "category": _(case.offence_category.label),
                    "handling": case.offence_category.get_handling_display(),
                }
            )
        if not case.lead_facilitator_id:
            blockers.append(_("No lead facilitator is assigned."))
    if to in (Stage.PREPARATION, Stage.PROCESS):
        for party in harmed + responsible:
            if party.person.is_minor and not facts.guardians_of(party):
                blockers.append(
                    _("%(name)s is under 18 and has no parent or guardian in the case.")
                    % {"name": party.person}
                )
    if to == Stage.PREPARATION:
        for party in harmed + responsible:
            if not facts.consent(party, ConsentPurpose.CONTACT):
                blockers.append(
                    _("%(name)s has not consented to be contacted.") % {"name": party.person}
                )
    if to == Stage.PROCESS:
        if case.eligibility != Case.Eligibility.PASSED:
            blockers.append(_("Eligibility has not been confirmed."))
        if not harmed:
            blockers.append(_("There is no harmed party taking part."))
        if not responsible:
            blockers.append(_("There is no responsible party taking part."))
        if not case.planned_process:
            blockers.append(_("The restorative process has not been chosen."))
        else:
            purpose = purpose_for_process(case.planned_process)
            label = ConsentPurpose(purpose).label
            for party in harmed + responsible:
                if not facts.consent(party, purpose):
                    blockers.append(
                        _("%(name)s has not consented %(purpose)s.")
                        % {"name": party.person, "purpose": str(label).lower()}
                    )
        for participant in facts.taking_part():
            assessment = facts.assessment(participant)
            if assessment is None:
                blockers.append(
                    _("%(name)s has no current safety assessment.") % {"name": participant.person}
                )
            elif not assessment.is_positive:
                blockers.append(
                    _("%(name)s's current safety assessment says not suitable.")
                    % {"name": participant.person}
                )
    return blockers


def must_leave_process(facts: CaseFacts) -> str:
    """Why a case in Restorative process can no longer stay there ('' if it can)."""
    if facts.case.stage != Stage.PROCESS:
        return ""
    blockers = what_blocks(facts, Stage.PROCESS)
    return blockers[0] if blockers else ""

"""The case timeline: moves, notes, contacts, consent, assessments, offers and withdrawals,
newest first, in one query per kind whatever the size of the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.cases import registry
from mend.cases.models import (
    Case,
    ConsentEntry,
    EligibilityDecision,
    Note,
    Participant,
    ReferralMessage,
    RJOffer,
    SafetyAssessment,
)
from mend.cases.notices import Reading, render_alert, render_move
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose

MOVE_TITLES: dict[str, Any] = {
    Stage.PAUSED: gettext_lazy("Paused"),
    Stage.CLOSED: gettext_lazy("Closed"),
    Stage.WITHDRAWN: gettext_lazy("Ended because a party withdrew"),
}

# Changes to a case recorded only in the audit trail, shown on its timeline too.
CASE_EVENTS = {
    "case.team_assigned": gettext_lazy("The team was assigned"),
    "case.process_chosen": gettext_lazy("The restorative process was chosen"),
    "case.category_overridden": gettext_lazy("The offence category was accepted by override"),
    "case.agreement_reached": gettext_lazy("An agreement was reached"),
}


@dataclass
class Entry:
    at: datetime
    kind: str
    title: str
    who: str = ""
    text: str = ""
    restricted: bool = False
    automatic: bool = False


def _name(user: Any) -> str:
    return user.display_name if user is not None else _("Mend")


def timeline_for(case: Case, notes: QuerySet[Note], limit: int = 200) -> list[Entry]:
    entries: list[Entry] = []
    reading = Reading(
        case,
        {
            p.pk: str(p.person)
            for p in Participant.objects.filter(case=case).select_related("person")
        },
    )
    for change in case.stage_changes.select_related("by"):
        if not change.from_stage:
            title = _("Referral received")
        elif change.to_stage in MOVE_TITLES:
            title = str(MOVE_TITLES[change.to_stage])
        else:
            title = _("Moved to %(stage)s") % {"stage": Stage(change.to_stage).label}
        entries.append(
            Entry(
                change.created_at,
                "move",
                title,
                _name(change.by),
                render_move(change.notice, reading) if change.notice else change.reason,
                automatic=change.automatic,
            )
        )
    for note in notes[:limit]:
        if note.kind == Note.Kind.CONTACT:
            title = _("%(channel)s with %(name)s: %(outcome)s") % {
                "channel": note.get_channel_display(),
                "name": note.participant.person if note.participant else "-",
                "outcome": note.get_contact_outcome_display(),
            }
        else:
            title = note.get_kind_display()
        entries.append(
            Entry(
                note.created_at,
                note.kind,
                title,
                _name(note.author),
                render_alert(note.notice, reading) if note.notice else note.body,
                restricted=note.restricted,
                automatic=note.kind == Note.Kind.SYSTEM,
            )
        )
    participants = Participant.objects.filter(case=case)
    for consent in ConsentEntry.objects.filter(participant__in=participants).select_related(
        "participant__person", "recorded_by", "guardian__person"
    ):
        title = _("%(name)s: consent %(decision)s %(purpose)s") % {
            "name": consent.participant.person,
            "decision": consent.get_decision_display().lower(),
            "purpose": str(ConsentPurpose(consent.purpose).label).lower()
            if consent.purpose in ConsentPurpose.values
            else consent.purpose,
        }
        if consent.guardian:
            title += " " + _("(by %(guardian)s, parent or guardian)") % {
                "guardian": consent.guardian.person
            }
        text = _("On withdrawing from the case.") if consent.on_withdrawal else consent.note
        entries.append(
            Entry(consent.recorded_at, "consent", title, _name(consent.recorded_by), text)
        )
    for assessment in SafetyAssessment.objects.filter(participant__in=participants).select_related(
        "participant__person", "assessor"
    ):
        entries.append(
            Entry(
                assessment.created_at,
                "assessment",
                _("%(name)s: safety assessment, %(result)s")
                % {
                    "name": assessment.participant.person,
                    "result": assessment.get_result_display().lower(),
                },
                _name(assessment.assessor),
            )
        )
    for offer in RJOffer.objects.filter(participant__in=participants).select_related(
        "participant__person", "offered_by"
    ):
        entries.append(
            Entry(
                offer.created_at,
                "offer",
                _("%(name)s offered restorative justice (%(channel)s): %(response)s")
                % {
                    "name": offer.participant.person,
                    "channel": offer.get_channel_display(),
                    "response": offer.get_response_display().lower(),
                },
                _name(offer.offered_by),
            )
        )
    for decision in EligibilityDecision.objects.filter(case=case).select_related("decided_by"):
        entries.append(
            Entry(
                decision.decided_at,
                "eligibility",
                _("Eligibility: met") if decision.passed else _("Eligibility: not met"),
                _name(decision.decided_by),
                decision.reason,
            )
        )
    for participant in participants.filter(withdrawn_at__isnull=False).select_related(
        "person", "withdrawal_recorded_by"
    ):
        assert participant.withdrawn_at is not None
        method = (
            ConsentEntry.Method(participant.withdrawal_method).label
            if participant.withdrawal_method in ConsentEntry.Method.values
            else participant.withdrawal_method
        )
        entries.append(
            Entry(
                participant.withdrawn_at,
                "withdrawal",
                _("%(name)s withdrew (told us %(method)s)")
                % {"name": participant.person, "method": str(method).lower()},
                _name(participant.withdrawal_recorded_by),
                " · ".join(
                    part
                    for part in (
                        participant.get_withdrawal_reason_code_display(),
                        participant.withdrawal_reason,
                    )
                    if part
                ),
            )
        )
    for message in ReferralMessage.objects.filter(referral_id=case.referral_id).select_related(
        "author"
    ):
        entries.append(
            Entry(
                message.created_at,
                "referral_message",
                _("The referrer added information"),
                _name(message.author),
                message.body,
            )
        )
    for event in AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action__in=list(CASE_EVENTS)
    ).select_related("actor"):
        entries.append(
            Entry(event.occurred_at, "change", str(CASE_EVENTS[event.action]), _name(event.actor))
        )
    entries += registry.timeline_entries(case)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]

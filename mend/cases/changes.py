"""What changed in a case since a given version, in sentences, from its audit trail.

When a form opened on an older version is refused, the person is told what their
colleague did meanwhile ("Jordan Lee withdrew consent to meet face to face at 15:36"),
so they can decide whether what they were about to record still stands.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mend.cases.models import Case, ConsentEntry, Participant, SafetyAssessment
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose, ProcessType

# How many of the latest changes are worth naming; the rest are counted.
SHOWN = 5


def _who(event: AuditEvent) -> str:
    if event.actor is not None:
        return str(event.actor.display_name)
    return event.actor_label or _("Mend")


def _participant_name(event: AuditEvent) -> str:
    pk = event.details.get("participant", "")
    participant = (
        Participant.objects.select_related("person").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    return str(participant.person) if participant else _("someone")


def _consent(event: AuditEvent) -> str:
    entry = (
        ConsentEntry.objects.select_related("participant__person")
        .filter(pk=event.object_id)
        .first()
        if event.object_type == "cases.consententry"
        else None
    )
    name = str(entry.participant.person) if entry else _participant_name(event)
    purpose = str(event.details.get("purpose", ""))
    label = str(ConsentPurpose(purpose).label).lower() if purpose in ConsentPurpose.values else ""
    decision = str(event.details.get("decision", event.action.rsplit(".", 1)[-1]))
    texts = {
        "given": _("%(name)s gave consent %(purpose)s"),
        "declined": _("%(name)s declined consent %(purpose)s"),
        "withdrawn": _("%(name)s withdrew consent %(purpose)s"),
    }
    return texts.get(decision, texts["given"]) % {"name": name, "purpose": label}


def _assessment(event: AuditEvent) -> str:
    assessment = (
        SafetyAssessment.objects.select_related("participant__person")
        .filter(pk=event.object_id)
        .first()
    )
    if assessment is None:
        return _("%(who)s recorded a safety assessment") % {"who": _who(event)}
    return _("%(who)s recorded a safety assessment of %(name)s: %(result)s") % {
        "who": _who(event),
        "name": assessment.participant.person,
        "result": str(assessment.get_result_display()).lower(),
    }


def _moved(event: AuditEvent) -> str:
    stage = str(event.details.get("new", ""))
    label = str(Stage(stage).label).lower() if stage in Stage.values else stage
    if event.action == "case.moved_automatically":
        return _("the case moved back to %(stage)s automatically") % {"stage": label}
    return _("%(who)s moved the case to %(stage)s") % {"who": _who(event), "stage": label}


def _process(event: AuditEvent) -> str:
    process = str(event.details.get("process", ""))
    label = str(ProcessType(process).label) if process in ProcessType.values else process
    return _("%(who)s chose %(process)s as the process") % {"who": _who(event), "process": label}


def _said(text: str) -> Callable[[AuditEvent], str]:
    return lambda event: text % {"who": _who(event), "name": _participant_name(event)}


def _sentences() -> dict[str, Callable[[AuditEvent], str]]:
    return {
        "consent.given": _consent,
        "consent.declined": _consent,
        "consent.withdrawn": _consent,
        "assessment.recorded": _assessment,
        "case.moved": _moved,
        "case.moved_automatically": _moved,
        "case.process_chosen": _process,
        "case.team_assigned": _said(_("%(who)s changed the team")),
        "case.eligibility_decided": _said(_("%(who)s recorded the eligibility decision")),
        "case.category_overridden": _said(_("%(who)s accepted the offence category by override")),
        "case.note_added": _said(_("%(who)s added a note")),
        "case.contact_recorded": _said(_("%(who)s recorded a contact attempt with %(name)s")),
        "case.contact_assigned": _said(_("%(who)s asked a volunteer to contact %(name)s")),
        "case.conditions_changed": _said(_("the conditions for contact changed")),
        "offer.recorded": _said(_("%(who)s recorded a restorative justice offer to %(name)s")),
        "participant.added": _said(_("%(who)s added %(name)s to the case")),
        "participant.withdrawn": _said(_("%(name)s withdrew from the case")),
        "participant.linked": _said(_("%(who)s linked %(name)s to a person already known")),
        "referral.declined": _said(_("%(who)s declined the referral")),
    }


def describe(event: AuditEvent) -> str:
    """One change as a sentence, with its time in the reader's time zone."""
    sentence = _sentences().get(event.action)
    text = sentence(event) if sentence else _("%(who)s changed the case") % {"who": _who(event)}
    at = time_format(timezone.localtime(event.occurred_at), "H:i")
    return _("%(change)s at %(time)s.") % {"change": text[:1].upper() + text[1:], "time": at}


def changes_since(case: Case, version: int) -> list[str]:
    """Sentences for each change made after `version`, newest first."""
    count = max(case.version - version, 0)
    events = list(
        AuditEvent.objects.filter(
            subject_type="cases.case", subject_id=str(case.pk), details__has_key="version"
        )
        .select_related("actor")
        .order_by("-id")[: min(count, SHOWN)]
    )
    sentences = [describe(event) for event in events]
    if count > SHOWN:
        earlier = count - SHOWN
        sentences.append(
            ngettext("And %(count)d earlier change.", "And %(count)d earlier changes.", earlier)
            % {"count": earlier}
        )
    if not sentences:
        sentences.append(_("Someone else changed this case while you were working on it."))
    return [_("Since you opened this form:"), *sentences]

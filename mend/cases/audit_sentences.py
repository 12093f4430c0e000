"""How events on referrals and cases read in the audit trail and in "what changed"."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from mend.cases.models import (
    Case,
    ConsentEntry,
    EligibilityDecision,
    Participant,
    ProtectiveOrder,
    Referral,
    SafetyAssessment,
)
from mend.cases.queries import cases_visible_to
from mend.cases.stages import Stage
from mend.core.audit_sentences import (
    Link,
    Reading,
    Sentence,
    register,
    register_group,
    register_loader,
    register_reference,
    who,
)
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose, ProcessType

# --- Loading what the sentences name, one query per kind of record -------------------


def _ids(ids: set[str]) -> list[int]:
    return [int(pk) for pk in ids if pk.isdecimal()]


def _cases(ids: set[str], reader: Any) -> dict[str, Any]:
    cases = Case.objects.filter(pk__in=_ids(ids))
    if reader is not None:
        visible = cases_visible_to(reader).filter(pk=OuterRef("pk"))
        cases = cases.filter(program_id=reader.program_id).annotate(openable=Exists(visible))
    return {str(case.pk): case for case in cases}


def _by_pk(queryset: Any) -> Any:
    return lambda ids, reader: {str(row.pk): row for row in queryset.filter(pk__in=_ids(ids))}


def _load() -> None:
    register_loader("cases.case", _cases)
    register_loader("cases.participant", _by_pk(Participant.objects.select_related("person")))
    register_loader(
        "cases.consententry", _by_pk(ConsentEntry.objects.select_related("participant__person"))
    )
    register_loader(
        "cases.safetyassessment",
        _by_pk(SafetyAssessment.objects.select_related("participant__person")),
    )
    register_loader(
        "cases.protectiveorder",
        _by_pk(ProtectiveOrder.objects.select_related("participant__person")),
    )
    register_loader("cases.eligibilitydecision", _by_pk(EligibilityDecision.objects.all()))
    register_reference("participant", "cases.participant")


# --- The pieces of a sentence -------------------------------------------------------


def case_named(event: AuditEvent, reading: Reading) -> Sentence:
    """ "case DEMO-2026-0166" (a link for someone who may open it), or "the case"."""
    if not reading.name_cases:
        return Sentence(_("the case"))
    case = reading.subject(event) if event.subject_type == "cases.case" else None
    if case is None and event.object_type == "cases.case":
        case = reading.obj(event)
    if case is None:
        return Sentence(_("a case"))
    if getattr(case, "openable", False):
        return Sentence(
            _("case %(reference)s"), {"reference": Link(case.reference, case.get_absolute_url())}
        )
    return Sentence(_("case %(reference)s"), {"reference": case.reference})


def person_named(event: AuditEvent, reading: Reading) -> str | Sentence:
    record = reading.obj(event)
    participant = getattr(record, "participant", None) or reading.referenced(event, "participant")
    if participant is None and isinstance(record, Participant):
        participant = record
    return str(participant.person) if participant else Sentence(_("someone"))


def _label(choices: Any, value: Any) -> Any:
    return choices(value).label if value in choices.values else value


def _params(event: AuditEvent, reading: Reading, **more: Any) -> dict[str, Any]:
    return {"who": who(event), "case": case_named(event, reading), **more}


def _says(text: Any, *, with_name: bool = False) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        extra = {"name": person_named(event, reading)} if with_name else {}
        return Sentence(text, _params(event, reading, **extra))

    return render


# --- Sentences -------------------------------------------------------------------


def _moved(event: AuditEvent, reading: Reading) -> Sentence:
    stage = _label(Stage, event.details.get("new", ""))
    return Sentence(_("%(who)s moved %(case)s to %(stage)s"), _params(event, reading, stage=stage))


def _moved_back(event: AuditEvent, reading: Reading) -> Sentence:
    stage = _label(Stage, event.details.get("new", ""))
    return Sentence(
        _("Mend moved %(case)s back to %(stage)s automatically, after a change by %(who)s"),
        _params(event, reading, stage=stage),
    )


def _eligibility(event: AuditEvent, reading: Reading) -> Sentence:
    if str(event.details.get("passed")) == "True":
        return Sentence(_("%(who)s found %(case)s eligible"), _params(event, reading))
    return Sentence(_("%(who)s found %(case)s not eligible"), _params(event, reading))


def _overridden(event: AuditEvent, reading: Reading) -> Sentence:
    decision = reading.obj(event)
    details: tuple[Sentence, ...] = ()
    # The justification is kept encrypted in the decision; only those who may override
    # may read it back here.
    if decision is not None and reading.may("cases.override_eligibility"):
        text = decision.override_justification
        details = (Sentence(_("Justification: %(text)s"), {"text": text}),)
    return Sentence(
        _("%(who)s accepted the offence category of %(case)s by override"),
        _params(event, reading),
        details,
    )


def _declined(event: AuditEvent, reading: Reading) -> Sentence:
    reason = _label(Referral.DeclineReason, event.details.get("reason", ""))
    return Sentence(
        _("%(who)s declined the referral for %(case)s: %(reason)s"),
        _params(event, reading, reason=reason),
    )


def _received(event: AuditEvent, reading: Reading) -> Sentence:
    source = _label(Referral.Source, event.details.get("source", ""))
    return Sentence(
        _("%(who)s sent the referral of %(case)s (%(source)s)"),
        _params(event, reading, source=source),
    )


def _process(event: AuditEvent, reading: Reading) -> Sentence:
    process = _label(ProcessType, event.details.get("process", ""))
    return Sentence(
        _("%(who)s chose %(process)s as the process for %(case)s"),
        _params(event, reading, process=process),
    )


def _note(event: AuditEvent, reading: Reading) -> Sentence:
    if str(event.details.get("restricted")) == "True":
        return Sentence(_("%(who)s added a restricted note to %(case)s"), _params(event, reading))
    return Sentence(_("%(who)s added a note to %(case)s"), _params(event, reading))


def _added(event: AuditEvent, reading: Reading) -> Sentence:
    role = str(_label(Participant.Role, event.details.get("role", ""))).lower()
    return Sentence(
        _("%(who)s added %(name)s to %(case)s as %(role)s"),
        _params(event, reading, name=person_named(event, reading), role=role),
    )


CONSENT = {
    "given": _("%(who)s recorded that %(name)s gave consent %(purpose)s in %(case)s"),
    "declined": _("%(who)s recorded that %(name)s declined consent %(purpose)s in %(case)s"),
    "withdrawn": _("%(who)s recorded that %(name)s withdrew consent %(purpose)s in %(case)s"),
}


def _consent(event: AuditEvent, reading: Reading) -> Sentence:
    purpose = str(_label(ConsentPurpose, event.details.get("purpose", ""))).lower()
    decision = event.action.rsplit(".", 1)[-1]
    return Sentence(
        CONSENT[decision],
        _params(event, reading, name=person_named(event, reading), purpose=purpose),
    )


def _assessment(event: AuditEvent, reading: Reading) -> Sentence:
    result = str(_label(SafetyAssessment.Result, event.details.get("result", ""))).lower()
    return Sentence(
        _("%(who)s recorded a safety assessment of %(name)s in %(case)s: %(result)s"),
        _params(event, reading, name=person_named(event, reading), result=result),
    )


def _order(event: AuditEvent, reading: Reading) -> Sentence:
    kind = str(_label(ProtectiveOrder.Kind, event.details.get("kind", ""))).lower()
    return Sentence(
        _("%(who)s recorded a %(kind)s on %(name)s in %(case)s"),
        _params(event, reading, name=person_named(event, reading), kind=kind),
    )


def register_sentences() -> None:
    _load()
    register_group("cases", _("Referrals and cases"))

    def case(code: str, renderer: Any) -> None:
        register(code, renderer, group="cases")

    case("referral.received", _received)
    case("case.opened", _says(_("%(who)s opened %(case)s")))
    case(
        "referral.information_added",
        _says(_("%(who)s added information to the referral of %(case)s")),
    )
    case("referral.declined", _declined)
    case("case.moved", _moved)
    case("case.moved_automatically", _moved_back)
    case("case.eligibility_decided", _eligibility)
    case("case.category_overridden", _overridden)
    case("case.team_assigned", _says(_("%(who)s changed the team of %(case)s")))
    case("case.process_chosen", _process)
    case("case.note_added", _note)
    case("case.agreement_reached", _says(_("An agreement was reached in %(case)s")))
    case("case.viewed", _says(_("%(who)s looked at %(case)s")))
    case(
        "case.conditions_changed",
        _says(_("The conditions for contact in %(case)s stopped holding")),
    )
    case("case.conditions_restored", _says(_("The conditions for contact in %(case)s hold again")))
    case(
        "case.contact_recorded",
        _says(_("%(who)s recorded a contact attempt with %(name)s in %(case)s"), with_name=True),
    )
    case(
        "case.contact_assigned",
        _says(_("%(who)s asked a volunteer to contact %(name)s in %(case)s"), with_name=True),
    )
    case(
        "offer.recorded",
        _says(
            _("%(who)s recorded a restorative justice offer to %(name)s in %(case)s"),
            with_name=True,
        ),
    )
    case("participant.added", _added)
    case(
        "participant.withdrawn",
        _says(_("%(who)s recorded that %(name)s withdrew from %(case)s"), with_name=True),
    )
    case(
        "participant.linked",
        _says(_("%(who)s linked %(name)s in %(case)s to a person already known"), with_name=True),
    )
    for decision in ConsentEntry.Decision.values:
        case(f"consent.{decision}", _consent)
    case("assessment.recorded", _assessment)
    case("order.recorded", _order)
    case(
        "order.ended",
        _says(_("%(who)s recorded when an order on %(name)s ends in %(case)s"), with_name=True),
    )
    case(
        "order.meeting_permitted",
        _says(
            _("%(who)s recorded that an order on %(name)s permits a joint meeting in %(case)s"),
            with_name=True,
        ),
    )
    case(
        "order.permission_withdrawn",
        _says(
            _(
                "%(who)s withdrew the record that an order on %(name)s permits a joint "
                "meeting in %(case)s"
            ),
            with_name=True,
        ),
    )
    register(
        "load.generated",
        lambda e, r: Sentence(
            _("%(who)s filled the program with %(cases)s invented cases for load testing"),
            {"who": who(e), "cases": e.details.get("cases", "")},
        ),
        group="program",
    )

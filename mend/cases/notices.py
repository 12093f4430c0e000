"""What the rules say, as codes and ids, worded only when someone reads them.

A `Notice` is one sentence the rules can say about a case ("Hana Harmed withdrew consent
to be contacted."). It holds no words: only a code and the ids and codes it needs, so it
can be stored (an automatic move's reason, a case alert) and read back later in each
reader's own language, with people's current names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mend.cases.stages import Stage
from mend.programs.models import ConsentPurpose, ProcessType

if TYPE_CHECKING:
    from mend.cases.models import Case


@dataclass(frozen=True)
class Notice:
    code: str
    participant: int | None = None
    # A consent purpose, a process, a stage: whatever code the sentence needs.
    value: str = ""
    # For consent: "not_asked", "declined", "withdrawn" (own) or "guardian_*".
    state: str = ""

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.participant is not None:
            data["participant"] = self.participant
        if self.value:
            data["value"] = self.value
        if self.state:
            data["state"] = self.state
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Notice:
        participant = data.get("participant")
        return cls(
            code=str(data.get("code", "")),
            participant=int(participant) if isinstance(participant, int) else None,
            value=str(data.get("value", "")),
            state=str(data.get("state", "")),
        )


@dataclass
class Reading:
    """What wording a notice needs: the case, and the names of the people in it."""

    case: Case
    names: Mapping[int, str]

    def name(self, notice: Notice) -> str:
        if notice.participant is None:
            return "-"
        return self.names.get(notice.participant, _("someone no longer in the case"))


Wording = Callable[[Notice, Reading], str]


def _purpose(code: str) -> str:
    if code in ConsentPurpose.values:
        return str(ConsentPurpose(code).label).lower()
    return code


def _process(code: str) -> str:
    return str(ProcessType(code).label) if code in ProcessType.values else code


def _consent(notice: Notice, reading: Reading) -> str:
    values = {"name": reading.name(notice), "purpose": _purpose(notice.value)}
    texts = {
        "declined": _("%(name)s declined consent %(purpose)s."),
        "withdrawn": _("%(name)s withdrew consent %(purpose)s."),
        "guardian_not_asked": _(
            "%(name)s is under 18: their parent or guardian has not given consent %(purpose)s."
        ),
        "guardian_declined": _(
            "%(name)s is under 18: their parent or guardian declined consent %(purpose)s."
        ),
        "guardian_withdrawn": _(
            "%(name)s is under 18: their parent or guardian withdrew consent %(purpose)s."
        ),
    }
    text = texts.get(notice.state, _("%(name)s has not been asked for consent %(purpose)s."))
    return text % values


def _category(notice: Notice, reading: Reading) -> str:
    category = reading.case.offence_category
    return _(
        "The offence category is “%(category)s” (%(handling)s): a coordinator must "
        "override with a written justification."
    ) % {"category": category.display_label, "handling": category.get_handling_display()}


def _specialist(notice: Notice, reading: Reading) -> str:
    category = reading.case.offence_category
    return _(
        "Cases of “%(category)s” are led by a specialist only: the lead facilitator is not "
        "marked as a specialist."
    ) % {"category": category.display_label}


def _order(notice: Notice, reading: Reading) -> str:
    from mend.cases.models import ProtectiveOrder

    kind = notice.value
    label = ProtectiveOrder.Kind(kind).label if kind in ProtectiveOrder.Kind.values else kind
    return _(
        "%(name)s has an active %(order)s: a joint meeting needs a coordinator's record "
        "that the order permits it."
    ) % {"name": reading.name(notice), "order": str(label).lower()}


def _simple(text: str) -> Wording:
    return lambda notice, reading: _(text)


def _named(text: str) -> Wording:
    return lambda notice, reading: _(text) % {"name": reading.name(notice)}


WORDINGS: dict[str, Wording] = {
    "eligibility": _simple(gettext_noop("Eligibility has not been confirmed.")),
    "category_override": _category,
    "no_lead": _simple(gettext_noop("No lead facilitator is assigned.")),
    "lead_not_specialist": _specialist,
    "minor_without_guardian": _named(
        gettext_noop("%(name)s is under 18 and has no parent or guardian in the case.")
    ),
    "not_offered": _named(gettext_noop("%(name)s has not been offered restorative justice yet.")),
    "consent": _consent,
    "no_harmed": _simple(gettext_noop("There is no harmed party taking part.")),
    "no_responsible": _simple(gettext_noop("There is no responsible party taking part.")),
    "no_process": _simple(gettext_noop("The restorative process has not been chosen.")),
    "process_not_offered": lambda notice, reading: (
        _("The program no longer offers %(process)s: choose another process.")
        % {"process": _process(notice.value)}
    ),
    "withdrawn": _named(gettext_noop("%(name)s has withdrawn from the case.")),
    "no_assessment": _named(gettext_noop("%(name)s has no current safety assessment.")),
    "not_suitable": _named(gettext_noop("%(name)s's latest safety assessment says not suitable.")),
    "protective_order": _order,
}


def register(code: str, wording: Wording) -> None:
    """Apps built on cases add the sentences of their own stage conditions here."""
    WORDINGS[code] = wording


def render(notice: Notice, reading: Reading) -> str:
    wording = WORDINGS.get(notice.code)
    if wording is None:
        return notice.code
    return wording(notice, reading)


def render_all(notices: Iterable[Notice], reading: Reading) -> list[str]:
    return [render(notice, reading) for notice in notices]


# --- Alerts and automatic moves -------------------------------------------------------


def alert_data(kind: str, notices: Iterable[Notice], to: str = "") -> dict[str, Any]:
    """A stored alert: `kind` is "moved_back" (with `to`) or "conditions"."""
    data: dict[str, Any] = {"kind": kind, "reasons": [n.as_data() for n in notices]}
    if to:
        data["to"] = to
    return data


def render_alert(data: Mapping[str, Any], reading: Reading) -> str:
    if not data:
        return ""
    reasons = " ".join(
        render(Notice.from_data(reason), reading) for reason in data.get("reasons", [])
    )
    to = str(data.get("to", ""))
    if data.get("kind") == "moved_back" and to in Stage.values:
        return _("Moved back to %(stage)s automatically: %(reasons)s") % {
            "stage": str(Stage(to).label).lower(),
            "reasons": reasons,
        }
    if data.get("kind") == "declined":
        return ""
    return _(
        "The conditions for contact between the people in this case no longer hold: "
        "%(reasons)s Hold no meeting and pass no message until this is resolved."
    ) % {"reasons": reasons}


def render_move(data: Mapping[str, Any], reading: Reading) -> str:
    """Why a stage change happened, for the timeline, from the notice stored with it."""
    kind = data.get("kind")
    participant = data.get("participant")
    name = reading.name(Notice("", participant if isinstance(participant, int) else None))
    if kind == "declined":
        from mend.cases.models import Referral

        value = str(data.get("value", ""))
        if value in Referral.DeclineReason.values:
            return str(Referral.DeclineReason(value).label)
        return ""
    if kind == "resumed":
        return _("Resumed at the request of %(name)s.") % {"name": name}
    if kind == "withdrew":
        return _("%(name)s withdrew.") % {"name": name}
    if kind == "pause_ended":
        return _("%(name)s, who asked for the pause, withdrew.") % {"name": name}
    return render_alert(data, reading)

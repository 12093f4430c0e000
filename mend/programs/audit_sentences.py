"""How events on programs, agencies, roles and refusals read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import (
    Reading,
    Sentence,
    field_labels,
    register,
    register_group,
    register_loader,
    who,
)
from mend.core.models import AuditEvent
from mend.programs.models import (
    Agency,
    EligibilityCriterion,
    Membership,
    OffenceCategory,
    Program,
)
from mend.programs.roles import Role


def _role(value: Any) -> Any:
    return Role(value).label if value in Role.values else value


def _agencies(ids: set[str], reader: Any) -> dict[str, Any]:
    rows = Agency.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdecimal()])
    return {str(row.pk): row for row in rows}


def _memberships(ids: set[str], reader: Any) -> dict[str, Any]:
    rows = Membership.objects.select_related("user").filter(
        pk__in=[int(pk) for pk in ids if pk.isdecimal()]
    )
    return {str(row.pk): row for row in rows}


def _settings(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(who)s changed the program settings: %(fields)s"),
        {"who": who(event), "fields": field_labels(Program, event.changed_fields)},
    )


def _agency(event: AuditEvent, reading: Reading) -> Sentence:
    agency = reading.obj(event)
    return Sentence(
        _("%(who)s added the referring agency %(agency)s"),
        {"who": who(event), "agency": agency.name if agency else ""},
    )


def _membership(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        details = event.details
        membership = reading.obj(event)
        # By name when the role is still on record; the username stored at the time if not.
        user = membership.user.display_name if membership else details.get("user", "")
        # Accepting an invitation grants the role to oneself: not "X gave X the role".
        own = membership is not None and event.actor_id == membership.user_id
        return Sentence(
            _("%(user)s took up the role %(role)s") if own else text,
            {
                "who": who(event),
                "user": user,
                "role": _role(details.get("role", "")),
                "previous": _role(details.get("previous_role", "")),
            },
        )

    return render


def _invitations(ids: set[str], reader: Any) -> dict[str, Any]:
    from mend.programs.models import Invitation

    rows = Invitation.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdecimal()])
    return {str(row.pk): row for row in rows}


def _invitation(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        invitation = reading.obj(event)
        return Sentence(
            text,
            {
                "who": who(event),
                "person": invitation.full_name if invitation else "",
                "role": _role(event.details.get("role", "")),
            },
        )

    return render


def _rows_of(model: Any) -> Any:
    # Worded by the record's label in the reader's language when read, so a renamed
    # category reads by its name now.
    def load(ids: set[str], reader: Any) -> dict[str, Any]:
        rows = model.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdecimal()])
        return {str(row.pk): row for row in rows}

    return load


def _listed(texts: dict[str, Any]) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        verb = event.action.rsplit(".", 1)[-1]
        record = reading.obj(event)
        return Sentence(
            texts[verb],
            {
                "who": who(event),
                "label": record.display_label if record is not None else "",
                "fields": field_labels(type(record), event.changed_fields) if record else "",
            },
        )

    return render


def _retention(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(who)s changed how long records are kept: %(kinds)s"),
        {"who": who(event), "kinds": ", ".join(event.changed_fields)},
    )


def _refused(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(who)s was refused %(path)s: their role does not allow it (%(capability)s)"),
        {
            "who": who(event),
            "path": event.details.get("path", ""),
            "capability": event.details.get("capability", ""),
        },
    )


def register_sentences() -> None:
    register_loader("programs.agency", _agencies)
    register_loader("programs.membership", _memberships)
    register_group("program", _("Program settings and roles"))
    register_group("refusals", _("Refusals"))
    register(
        "program.created",
        lambda e, r: Sentence(_("%(who)s created the program"), {"who": who(e)}),
        group="program",
    )
    register("program.settings_changed", _settings, group="program")
    register("agency.created", _agency, group="program")
    register(
        "membership.granted",
        _membership(_("%(who)s gave %(user)s the role %(role)s")),
        group="program",
    )
    register(
        "membership.role_changed",
        _membership(_("%(who)s changed the role of %(user)s from %(previous)s to %(role)s")),
        group="program",
    )
    register(
        "membership.ended",
        _membership(_("%(who)s ended the role %(role)s of %(user)s")),
        group="program",
    )
    register("access.denied", _refused, group="refusals")
    register_loader("programs.invitation", _invitations)
    categories = _listed(
        {
            "created": _("%(who)s added the offence category “%(label)s”"),
            "changed": _("%(who)s changed the offence category “%(label)s”: %(fields)s"),
            "deactivated": _("%(who)s stopped using the offence category “%(label)s”"),
            "reactivated": _("%(who)s started using the offence category “%(label)s” again"),
        }
    )
    criteria = _listed(
        {
            "created": _("%(who)s added the eligibility criterion “%(label)s”"),
            "changed": _("%(who)s changed the eligibility criterion “%(label)s”: %(fields)s"),
            "deactivated": _("%(who)s stopped using the eligibility criterion “%(label)s”"),
            "reactivated": _("%(who)s started using the eligibility criterion “%(label)s” again"),
        }
    )
    for verb in ("created", "changed", "deactivated", "reactivated"):
        register(f"offence_category.{verb}", categories, group="program")
        register(f"eligibility_criterion.{verb}", criteria, group="program")
    register("retention.changed", _retention, group="program")
    register_loader("programs.offencecategory", _rows_of(OffenceCategory))
    register_loader("programs.eligibilitycriterion", _rows_of(EligibilityCriterion))
    register(
        "invitation.created",
        _invitation(_("%(who)s invited %(person)s to take the role %(role)s")),
        group="program",
    )
    register(
        "invitation.accepted",
        _invitation(_("%(who)s accepted the invitation to the role %(role)s")),
        group="program",
    )

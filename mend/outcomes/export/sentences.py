"""How an export reads in the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import Reading, Sentence, register, who
from mend.core.models import AuditEvent

VARIANTS = {
    "full": _("the full export, names and notes included"),
    "person_free": _("the person-free export"),
}


def _exported(event: AuditEvent, reading: Reading) -> Sentence:
    variant = event.details.get("variant", "")
    return Sentence(
        _("%(who)s downloaded %(variant)s of the program's data"),
        {"who": who(event), "variant": VARIANTS.get(variant, variant)},
    )


def register_sentences() -> None:
    register("outcomes.exported", _exported, group="program")

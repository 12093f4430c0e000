"""How calls through the partner API read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import Reading, Sentence, register, who
from mend.core.models import AuditEvent
from mend.partners.audit_sentences import says

# Why a key was refused, as the audit row stores it.
REASONS = {
    "missing": _("no key was sent"),
    "malformed": _("the key is not valid"),
    "unknown": _("the key is not valid"),
    "revoked": _("the key was revoked"),
    "expired": _("the key has expired"),
    "inactive": _("its agency or program is no longer active"),
}


def _refused(event: AuditEvent, reading: Reading) -> Sentence:
    reason = event.details.get("reason", "")
    return Sentence(
        _("A partner system (%(who)s) was refused: %(reason)s"),
        {"who": who(event), "reason": REASONS.get(reason, reason)},
    )


def register_sentences() -> None:
    def partner(code: str, text: Any) -> None:
        register(code, says(text), group="partners")

    register("api.auth.refused", _refused, group="partners")
    partner(
        "api.scope.refused", _("%(who)s was refused a request its key does not allow (%(scope)s)")
    )
    partner("api.referral.read", _("%(who)s read a referral"))
    partner("api.referral.listed", _("%(who)s listed %(count)s referrals"))
    partner("api.offence_categories.listed", _("%(who)s listed the offence categories"))
    partner(
        "api.idempotency.conflict",
        _("%(who)s sent a different referral under a request key already used"),
    )
    partner(
        "api.referral.replayed", _("%(who)s sent the same referral again; nothing new was created")
    )
    partner("api.referral.created", _("%(who)s sent a referral, which opened case %(case)s"))

"""How calls through the partner API read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import register
from mend.partners.audit_sentences import says


def register_sentences() -> None:
    def partner(code: str, text: Any) -> None:
        register(code, says(text), group="partners")

    partner("api.auth.refused", _("A partner system (%(who)s) was refused: %(reason)s"))
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

"""How API keys, webhooks, imports and partner API calls read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mend.core.audit_sentences import Reading, Sentence, register, register_group, who
from mend.core.models import AuditEvent


def says(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), **event.details})

    return render


def register_sentences() -> None:
    register_group("partners", _("Partner systems"))

    def partner(code: str, text: Any) -> None:
        register(code, says(text), group="partners")

    partner("api_key.created", _("%(who)s created the API key %(prefix)s for %(agency)s"))
    partner("api_key.revoked", _("%(who)s revoked the API key %(prefix)s"))
    partner(
        "api.rate_limited",
        _("%(who)s sent too many requests and was slowed down (limit %(limit)s a minute)"),
    )
    partner(
        "webhook.endpoint_registered", _("%(who)s registered a webhook for %(agency)s: %(url)s")
    )
    partner("webhook.endpoint_deactivated", _("%(who)s turned a webhook off"))
    partner(
        "webhook.delivered",
        _("Mend delivered the %(event)s notice to a partner system (attempt %(attempt)s)"),
    )
    partner(
        "webhook.failed_attempt",
        _(
            "Mend could not deliver the %(event)s notice to a partner system "
            "(attempt %(attempt)s); it will try again"
        ),
    )
    partner(
        "webhook.gave_up",
        _(
            "Mend gave up delivering the %(event)s notice to a partner system "
            "after %(attempt)s attempts"
        ),
    )
    partner(
        "referrals.imported",
        _(
            "%(who)s imported %(imported)s referrals from a file (%(skipped_duplicates)s "
            "duplicates and %(invalid)s invalid rows left out)"
        ),
    )

"""How sign-ins and account events read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mend.accounts.models import User
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


def _says(text: Any) -> Any:
    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(
            text, {"who": who(event), "ip": event.details.get("ip", "") or _("unknown")}
        )

    return render


def _changed(event: AuditEvent, reading: Reading) -> Sentence:
    return Sentence(
        _("%(who)s changed the account details of %(user)s: %(fields)s"),
        {
            "who": who(event),
            "user": _user(event, reading),
            "fields": field_labels(User, event.changed_fields),
        },
    )


def _user(event: AuditEvent, reading: Reading) -> Any:
    user = reading.obj(event) if event.object_type == "accounts.user" else None
    return user.display_name if user is not None else Sentence(_("an account"))


def _about(text: Any) -> Any:
    """Something one person did to another's account (a reset, a deactivation)."""

    def render(event: AuditEvent, reading: Reading) -> Sentence:
        return Sentence(text, {"who": who(event), "user": _user(event, reading)})

    return render


def _enrolled(event: AuditEvent, reading: Reading) -> Sentence:
    if event.actor_id is not None and str(event.actor_id) == event.object_id:
        return Sentence(_("%(who)s set up two-factor authentication"), {"who": who(event)})
    return Sentence(
        _("%(who)s set up two-factor authentication for %(user)s"),
        {"who": who(event), "user": _user(event, reading)},
    )


def _users(ids: set[str], reader: Any) -> dict[str, Any]:
    rows = User.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdecimal()])
    return {str(row.pk): row for row in rows}


def register_sentences() -> None:
    register_loader("accounts.user", _users)
    register_group("accounts", _("Sign-ins and accounts"))

    def account(code: str, renderer: Any) -> None:
        register(code, renderer, group="accounts")

    account("auth.signed_in", _says(_("%(who)s signed in (from %(ip)s)")))
    account("auth.signed_out", _says(_("%(who)s signed out")))
    account("auth.session_expired", _says(_("%(who)s was signed out after a period of inactivity")))
    account("auth.sign_in_failed", _says(_("A sign-in as %(who)s failed (from %(ip)s)")))
    account(
        "auth.locked_out",
        _says(_("A sign-in as %(who)s failed and the account is locked for a while (from %(ip)s)")),
    )
    account(
        "auth.second_factor_failed",
        _says(_("%(who)s entered a wrong two-factor code (from %(ip)s)")),
    )
    account("auth.password_changed", _says(_("%(who)s changed their password")))
    account("mfa.enrolled", _enrolled)
    account(
        "mfa.recovery_codes_replaced", _says(_("%(who)s replaced their two-factor recovery codes"))
    )
    account("mfa.removed", _about(_("%(who)s removed the two-factor authentication of %(user)s")))
    account("account.language_changed", _says(_("%(who)s changed their language")))
    account("account.deactivated", _about(_("%(who)s deactivated the account of %(user)s")))
    account("account.password_reset", _about(_("%(who)s reset the password of %(user)s")))
    account("account.created", _about(_("%(who)s created the account of %(user)s")))
    account("account.changed", _changed)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mend.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from mend.accounts.audit_sentences import register_sentences

        register_sentences()

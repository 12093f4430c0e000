from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "mend.api"
    label = "api"
    verbose_name = _("Partner API")

    def ready(self) -> None:
        from mend.api.audit_sentences import register_sentences

        register_sentences()

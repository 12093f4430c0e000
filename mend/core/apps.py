from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mend.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from mend.core import checks  # noqa: F401  (registers system checks)
        from mend.core.audit_sentences import register_core

        register_core()

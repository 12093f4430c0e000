from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "mend.partners"
    label = "partners"
    verbose_name = _("Partner systems")

    def ready(self) -> None:
        from mend.core.navigation import NavItem, register

        register(NavItem(_("API keys"), "partners:api_keys", "program.configure", order=87))

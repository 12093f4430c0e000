from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "mend.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes and evidence")

    def ready(self) -> None:
        from mend.core.navigation import NavItem, register
        from mend.outcomes import catalogue

        catalogue.register_all()
        register(NavItem(_("Reports"), "outcomes:reports", "outcomes.view", order=60))
        register(NavItem(_("Funder returns"), "outcomes:returns", "outcomes.view", order=61))

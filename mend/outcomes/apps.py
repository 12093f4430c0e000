from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "mend.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes and evidence")

    def ready(self) -> None:
        from mend.core.navigation import NavItem, register
        from mend.outcomes import catalogue, reoffending_plug

        catalogue.register_all()
        reoffending_plug.plug_in()
        register(NavItem(_("Reports"), "outcomes:reports", "outcomes.view", order=60))

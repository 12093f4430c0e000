from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "mend.agreements"
    label = "agreements"
    verbose_name = _("Agreements and follow-up")

    def ready(self) -> None:
        from mend.agreements import dashboard, placement_plug, plug
        from mend.core.dashboard import register as register_panel
        from mend.core.navigation import NavItem, register

        plug.plug_in()
        placement_plug.plug_in()
        register_panel(dashboard.agreement_terms)
        # Everyone who follows cases up: the program's, or the cases assigned to them.
        for capability in ("cases.view_all", "cases.view_assigned"):
            register(NavItem(_("Monitoring"), "agreements:monitoring", capability, order=40))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "mend.processes"
    label = "processes"
    verbose_name = _("Restorative processes")

    def ready(self) -> None:
        from mend.core.navigation import NavItem, register
        from mend.processes import calendar_plug, plug

        plug.plug_in()
        calendar_plug.plug_in()
        register(NavItem(_("Rooms"), "processes:venues", "cases.work", order=82))
        register(NavItem(_("My availability"), "processes:availability", "cases.work", order=83))

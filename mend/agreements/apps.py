from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "mend.agreements"
    label = "agreements"
    verbose_name = _("Agreements and follow-up")

    def ready(self) -> None:
        from mend.agreements import placement_plug, plug

        plug.plug_in()
        placement_plug.plug_in()

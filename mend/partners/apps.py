from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "mend.partners"
    label = "partners"
    verbose_name = _("Partner systems")

    def ready(self) -> None:
        from mend.cases import events
        from mend.core.navigation import NavItem, register
        from mend.partners.audit_sentences import register_sentences
        from mend.partners.webhooks import on_referral_status_changed

        register(NavItem(_("API keys"), "partners:api_keys", "program.configure", order=87))
        register(NavItem(_("Webhooks"), "partners:webhooks", "program.configure", order=88))
        register(
            NavItem(
                _("Import referrals"), "partners:import_referrals", "referrals.screen", order=31
            )
        )
        events.register(on_referral_status_changed)
        register_sentences()

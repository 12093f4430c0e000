from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mend.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from mend.cases import dashboard  # noqa: F401  (registers the dashboard panels)
        from mend.cases.audit_sentences import register_sentences
        from mend.core.navigation import NavItem, register

        register(NavItem(_("Cases"), "cases:list", "cases.view_assigned", order=10))
        register(NavItem(_("All cases"), "cases:list", "cases.view_all", order=10))
        register(NavItem(_("New referral"), "cases:new_referral", "referrals.submit", order=20))
        register(NavItem(_("Referrals"), "cases:referral_list", "referrals.screen", order=30))
        register(
            NavItem(_("My referrals"), "cases:referral_list", "referrals.follow_own", order=30)
        )
        register_sentences()

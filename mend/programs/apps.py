from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "mend.programs"
    label = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from mend.core.navigation import NavItem, register
        from mend.programs.audit_sentences import register_sentences

        register(NavItem(_("Dashboard"), "programs:dashboard", order=0))
        register(NavItem(_("Program"), "programs:settings", "program.view_settings", order=80))
        register(NavItem(_("People and roles"), "programs:members", "members.manage", order=85))
        register(NavItem(_("Audit trail"), "programs:audit_log", "audit.view", order=90))
        register_sentences()

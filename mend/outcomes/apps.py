from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "mend.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes and evidence")

    def ready(self) -> None:
        from mend.cases import registry
        from mend.core.dashboard import register as register_panel
        from mend.core.navigation import NavItem, register
        from mend.outcomes import (
            audit_sentences,
            catalogue,
            dashboard,
            reoffending_plug,
            survey_sending,
            survey_sentences,
        )
        from mend.outcomes.export.sentences import register_sentences as export_sentences

        catalogue.register_all()
        audit_sentences.register_all()
        export_sentences()
        register_panel(dashboard.this_quarter)
        reoffending_plug.plug_in()
        register(NavItem(_("Reports"), "outcomes:reports", "outcomes.view", order=60))
        # Surveys go out at consent (before the process) and at completion (after it).
        registry.add_case_changed(survey_sending.send_when_due)
        survey_sentences.register_sentences()
        register(NavItem(_("Surveys"), "outcomes:surveys", "surveys.manage", order=61))
        register(NavItem(_("Funder returns"), "outcomes:returns", "outcomes.view", order=62))

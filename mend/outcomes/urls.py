from django.urls import URLPattern, URLResolver, path

from mend.outcomes import (
    offence_code_views,
    reoffending_views,
    settings_views,
    survey_public_views,
    survey_views,
    views,
)
from mend.outcomes.export import views as export_views
from mend.outcomes.returns import views as returns

app_name = "outcomes"

SURVEYS = "reports/surveys/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
    path("reports/measures/<slug:code>/", views.records, name="records"),
    path("reports/settings/", settings_views.reporting_settings, name="settings"),
    path("reports/offence-codes/", offence_code_views.offence_codes, name="offence_codes"),
    path("trends/<slug:slug>/", views.public_trends, name="public_trends"),
    path("reports/export/", export_views.export_page, name="export"),
    path("reports/export/full/", export_views.export_full, name="export_full"),
    path(
        "reports/export/person-free/",
        export_views.export_person_free,
        name="export_person_free",
    ),
    path(SURVEYS, survey_views.surveys, name="surveys"),
    path(f"{SURVEYS}versions/<int:version_id>/", survey_views.version, name="survey_version"),
    path(f"{SURVEYS}<str:kind>/questions/", survey_views.questions, name="survey_questions"),
    path(
        f"{SURVEYS}versions/<int:version_id>/link/",
        survey_views.make_link,
        name="survey_make_link",
    ),
    path(
        f"{SURVEYS}links/<int:link_id>/revoke/",
        survey_views.revoke_link,
        name="survey_revoke_link",
    ),
    path(f"{SURVEYS}sent/", survey_views.sent, name="survey_sent"),
    path(
        f"{SURVEYS}sent/<int:invitation_id>/link/",
        survey_views.hand_over,
        name="survey_hand_over",
    ),
    path(f"{SURVEYS}send/", survey_views.send, name="survey_send"),
    # No sign-in: the token in the address is the participant's credential. "thanks"
    # first, so it is never read as a token.
    path("surveys/thanks/", survey_public_views.thanks, name="survey_thanks"),
    path("surveys/<str:token>/", survey_public_views.answer, name="survey_answer"),
    path("reports/returns/", returns.returns_page, name="returns"),
    path("reports/returns/pdf/", returns.returns_pdf, name="returns_pdf"),
    path("reports/returns/csv/", returns.returns_csv, name="returns_csv"),
    path("reports/returns/records/<str:figure>/", returns.return_records, name="return_records"),
    # Re-offending follow-up.
    path("reports/reoffending/", reoffending_views.queue, name="reoffending"),
    path(
        "reports/reoffending/checks/<int:check_id>/",
        reoffending_views.check_page,
        name="reoffending_check",
    ),
    path("reports/reoffending/imports/", reoffending_views.imports, name="reoffending_imports"),
    path(
        "reports/reoffending/imports/<int:import_id>/",
        reoffending_views.import_page,
        name="reoffending_import",
    ),
    path(
        "reports/reoffending/suggestions/<int:suggestion_id>/decide/",
        reoffending_views.decide,
        name="reoffending_decide",
    ),
    path("reports/reoffending/months/", reoffending_views.windows, name="reoffending_windows"),
]

from django.urls import URLPattern, URLResolver, path

from mend.outcomes import reoffending_views, views

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
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

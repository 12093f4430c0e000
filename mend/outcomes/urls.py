from django.urls import URLPattern, URLResolver, path

from mend.outcomes import offence_code_views, settings_views, views
from mend.outcomes.export import views as export_views

app_name = "outcomes"

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
]

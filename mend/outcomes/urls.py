from django.urls import URLPattern, URLResolver, path

from mend.outcomes import offence_code_views, settings_views, views

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
    path("reports/measures/<slug:code>/", views.records, name="records"),
    path("reports/settings/", settings_views.reporting_settings, name="settings"),
    path("reports/offence-codes/", offence_code_views.offence_codes, name="offence_codes"),
    path("trends/<slug:slug>/", views.public_trends, name="public_trends"),
]

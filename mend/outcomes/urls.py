from django.urls import URLPattern, URLResolver, path

from mend.outcomes import settings_views, views

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
    path("reports/measures/<slug:code>/", views.records, name="records"),
    path("reports/settings/", settings_views.reporting_settings, name="settings"),
    path("trends/<slug:slug>/", views.public_trends, name="public_trends"),
]

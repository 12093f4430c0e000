from django.urls import URLPattern, URLResolver, path

from mend.outcomes import views

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
]

from django.urls import URLPattern, URLResolver, path

from mend.outcomes import views
from mend.outcomes.returns import views as returns

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
    path("reports/returns/", returns.returns_page, name="returns"),
    path("reports/returns/pdf/", returns.returns_pdf, name="returns_pdf"),
    path("reports/returns/csv/", returns.returns_csv, name="returns_csv"),
    path("reports/returns/records/<str:figure>/", returns.return_records, name="return_records"),
]

from django.urls import include, path

from mend.api.api import api
from mend.core import views as core_views
from mend.core.admin import admin_site

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("account/", include("mend.accounts.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("", include("mend.partners.urls")),
    # Before cases: "cases/<reference>/fees/" is a page of its own, not a case action.
    path("", include("mend.agreements.urls")),
    path("", include("mend.cases.urls")),
    path("", include("mend.programs.urls")),
    path("", include("mend.processes.urls")),
    path("", include("mend.outcomes.urls")),
]

handler400 = "mend.core.views.bad_request"
handler403 = "mend.core.views.permission_denied"
handler404 = "mend.core.views.page_not_found"
handler500 = "mend.core.views.server_error"

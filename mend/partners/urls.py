from django.urls import path

from mend.partners import import_views, views

app_name = "partners"

urlpatterns = [
    path("program/api-keys/", views.api_keys, name="api_keys"),
    path("program/api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("program/webhooks/", views.webhooks, name="webhooks"),
    path(
        "program/webhooks/<int:endpoint_id>/deactivate/",
        views.deactivate_webhook,
        name="deactivate_webhook",
    ),
    path("referrals/import/", import_views.import_referrals, name="import_referrals"),
]

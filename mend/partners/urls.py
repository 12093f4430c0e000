from django.urls import path

from mend.partners import views

app_name = "partners"

urlpatterns = [
    path("program/api-keys/", views.api_keys, name="api_keys"),
    path("program/api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_api_key"),
]

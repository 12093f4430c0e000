from django.urls import path

from mend.agreements import monitoring_views

app_name = "agreements"

urlpatterns = [
    path("agreements/monitoring/", monitoring_views.monitoring, name="monitoring"),
]

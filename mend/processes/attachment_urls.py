from django.urls import path

from mend.processes import attachment_views

app_name = "letters"

urlpatterns = [
    path(
        "cases/<str:reference>/letters/<int:letter>/attachments/<int:attachment>/",
        attachment_views.download_attachment,
        name="attachment",
    ),
]

from django.urls import path

from mend.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programs/switch/", views.switch_program, name="switch"),
    path("program/", views.program_settings, name="settings"),
    path("program/people/", views.members, name="members"),
    path("program/people/<int:member_id>/end/", views.end_member, name="end_member"),
    path(
        "program/people/<int:member_id>/reset-password/",
        views.reset_member_password,
        name="reset_member_password",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

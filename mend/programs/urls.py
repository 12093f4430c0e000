from django.urls import path

from mend.programs import settings_views, views

app_name = "programs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programs/switch/", views.switch_program, name="switch"),
    path("program/", views.program_settings, name="settings"),
    # One page per section of the settings; each name is edit_<section>.
    *(
        path(
            f"program/settings/{section.replace('_', '-')}/",
            settings_views.edit_section,
            {"section": section},
            name=f"edit_{section}",
        )
        for section in settings_views.SECTIONS
    ),
    path("program/offence-categories/new/", settings_views.edit_category, name="add_category"),
    path(
        "program/offence-categories/<int:category_id>/",
        settings_views.edit_category,
        name="edit_category",
    ),
    path("program/eligibility/new/", settings_views.edit_criterion, name="add_criterion"),
    path(
        "program/eligibility/<int:criterion_id>/",
        settings_views.edit_criterion,
        name="edit_criterion",
    ),
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

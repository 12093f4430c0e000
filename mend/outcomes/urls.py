from django.urls import URLPattern, URLResolver, path

from mend.outcomes import survey_public_views, survey_views, views

app_name = "outcomes"

SURVEYS = "reports/surveys/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", views.reports, name="reports"),
    path(SURVEYS, survey_views.surveys, name="surveys"),
    path(f"{SURVEYS}versions/<int:version_id>/", survey_views.version, name="survey_version"),
    path(f"{SURVEYS}<str:kind>/questions/", survey_views.questions, name="survey_questions"),
    path(
        f"{SURVEYS}versions/<int:version_id>/link/",
        survey_views.make_link,
        name="survey_make_link",
    ),
    path(
        f"{SURVEYS}links/<int:link_id>/revoke/",
        survey_views.revoke_link,
        name="survey_revoke_link",
    ),
    path(f"{SURVEYS}sent/", survey_views.sent, name="survey_sent"),
    path(
        f"{SURVEYS}sent/<int:invitation_id>/link/",
        survey_views.hand_over,
        name="survey_hand_over",
    ),
    path(f"{SURVEYS}send/", survey_views.send, name="survey_send"),
    # No sign-in: the token in the address is the participant's credential. "thanks"
    # first, so it is never read as a token.
    path("surveys/thanks/", survey_public_views.thanks, name="survey_thanks"),
    path("surveys/<str:token>/", survey_public_views.answer, name="survey_answer"),
]

from django.urls import path

from mend.cases import case_views, referral_views, views

app_name = "cases"

urlpatterns = [
    path("referrals/", referral_views.referral_list, name="referral_list"),
    path("referrals/new/", views.new_referral, name="new_referral"),
    path("referrals/<int:referral_id>/", referral_views.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:referral_id>/add/",
        referral_views.add_referral_message,
        name="referral_message",
    ),
    path("cases/", views.case_list, name="list"),
    path("cases/<str:reference>/", case_views.case_detail, name="detail"),
    path("cases/<str:reference>/access/", case_views.case_access, name="access"),
    path("cases/<str:reference>/<slug:action>/", case_views.case_action, name="action"),
]

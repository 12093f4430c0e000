from django.urls import path

from mend.cases import views

app_name = "cases"

urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.new_referral, name="new_referral"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("cases/", views.case_list, name="list"),
    path("cases/<str:reference>/", views.case_detail, name="detail"),
    path("cases/<str:reference>/access/", views.case_access, name="access"),
    path("cases/<str:reference>/<slug:action>/", views.case_action, name="action"),
]

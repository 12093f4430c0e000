from django.urls import path

from mend.agreements import fee_views, placement_views, verification_views

app_name = "agreements"

urlpatterns = [
    path("program/placements/", placement_views.placements, name="placements"),
    path("program/placements/new/", placement_views.add_placement, name="add_placement"),
    path(
        "program/placements/<int:placement_id>/",
        placement_views.change_placement,
        name="change_placement",
    ),
    path(
        "program/placements/<int:placement_id>/retire/",
        placement_views.retire_placement,
        name="retire_placement",
    ),
    path(
        "program/placements/<int:placement_id>/link/",
        placement_views.make_link,
        name="make_link",
    ),
    path(
        "program/placements/<int:placement_id>/link/revoke/",
        placement_views.revoke_link,
        name="revoke_link",
    ),
    # No sign-in: the token in the address is the placement's credential.
    path("placements/verify/<str:token>/", verification_views.verify_hours, name="verify_hours"),
    path(
        "placements/verify/<str:token>/<int:session_id>/wrong/",
        verification_views.flag_session,
        name="flag_session",
    ),
    path("cases/<str:reference>/fees/", fee_views.fees, name="fees"),
    path("program/agreements/", fee_views.agreement_settings, name="agreement_settings"),
]

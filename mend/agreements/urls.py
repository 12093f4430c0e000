from django.urls import URLPattern, URLResolver, path

from mend.agreements import agreement_views as views
from mend.agreements import (
    fee_views,
    monitoring_views,
    pdf_views,
    placement_views,
    term_views,
    verification_views,
)

app_name = "agreements"

AGREEMENT = "cases/<str:reference>/agreements/<int:agreement_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<str:reference>/agreements/new/", views.draft, name="draft"),
    path(AGREEMENT, views.agreement_page, name="agreement"),
    path(f"{AGREEMENT}terms/new/", views.add_term, name="add_term"),
    path(f"{AGREEMENT}terms/<int:term_id>/change/", views.change_term, name="change_term"),
    path(f"{AGREEMENT}terms/<int:term_id>/remove/", views.remove_term, name="remove_term"),
    path(f"{AGREEMENT}agree/", views.sign, name="sign"),
    path(f"{AGREEMENT}reconvene/", views.reconvene, name="reconvene"),
    # A signed copy, as a download, for those who may see the agreement.
    path(
        f"{AGREEMENT}signatures/<int:signature_id>/signed-copy/",
        views.signed_copy,
        name="signed_copy",
    ),
    path(f"{AGREEMENT}terms/<int:term_id>/", term_views.term_page, name="term"),
    # Each form of the term's page posts to its own action (payment, check_in, status...).
    path(
        f"{AGREEMENT}terms/<int:term_id>/<str:action>/",
        term_views.term_action,
        name="term_action",
    ),
    # The agreement's documents, as PDF downloads.
    path(f"{AGREEMENT}copy/<int:participant_id>.pdf", pdf_views.party_copy, name="party_copy"),
    path(
        "cases/<str:reference>/closure-letters/<int:participant_id>.pdf",
        pdf_views.closure_letter_pdf,
        name="closure_letter",
    ),
    path(
        "cases/<str:reference>/outcome-report.pdf",
        pdf_views.outcome_report_pdf,
        name="outcome_report",
    ),
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
    path("agreements/monitoring/", monitoring_views.monitoring, name="monitoring"),
]

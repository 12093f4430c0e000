from django.urls import URLPattern, URLResolver, path

from mend.agreements import agreement_views as views
from mend.agreements import pdf_views, term_views

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
]

from django.urls import path

from mend.agreements import pdf_views

app_name = "agreements"

urlpatterns = [
    # The agreement's documents, as PDF downloads.
    path(
        "cases/<str:reference>/agreements/<int:agreement_id>/copy/<int:participant_id>.pdf",
        pdf_views.party_copy,
        name="party_copy",
    ),
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

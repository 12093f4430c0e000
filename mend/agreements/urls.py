from django.urls import URLPattern, URLResolver, path

from mend.agreements import term_views

app_name = "agreements"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<str:reference>/agreements/<int:agreement_id>/terms/<int:term_id>/",
        term_views.term_page,
        name="term",
    ),
    # Each form of the term's page posts to its own action (payment, check_in, status...).
    path(
        "cases/<str:reference>/agreements/<int:agreement_id>/terms/<int:term_id>/<str:action>/",
        term_views.term_action,
        name="term_action",
    ),
]

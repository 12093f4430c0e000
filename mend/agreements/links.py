"""Where an agreement's page and a term's page are, for links from lists and e-mail."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def agreement_path(reference: str, agreement_id: int) -> str:
    try:
        return reverse("agreements:agreement", args=[reference, agreement_id])
    except NoReverseMatch:
        # The page's URL is not registered yet; this is where it lives.
        return f"/cases/{reference}/agreements/{agreement_id}/"


def term_path(reference: str, agreement_id: int, term_id: int) -> str:
    try:
        return reverse("agreements:term", args=[reference, agreement_id, term_id])
    except NoReverseMatch:
        return f"/cases/{reference}/agreements/{agreement_id}/terms/{term_id}/"

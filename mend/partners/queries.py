"""Reads of API keys and webhooks, scoped to the program of whoever asks."""

from __future__ import annotations

from django.db.models import QuerySet

from mend.partners.models import ApiKey, WebhookDelivery, WebhookEndpoint
from mend.programs.models import Membership


def keys_of(membership: Membership) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(program_id=membership.program_id).select_related("agency")


def endpoints_of(membership: Membership) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(program_id=membership.program_id).select_related("agency")


def deliveries_of(membership: Membership) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        endpoint__program_id=membership.program_id
    ).select_related("endpoint__agency")

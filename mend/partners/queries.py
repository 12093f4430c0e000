"""Reads of API keys, scoped to the program of whoever asks."""

from __future__ import annotations

from django.db.models import QuerySet

from mend.partners.models import ApiKey
from mend.programs.models import Membership


def keys_of(membership: Membership) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(program_id=membership.program_id).select_related("agency")

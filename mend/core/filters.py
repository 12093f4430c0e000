"""Small helpers shared by list filters."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

M = TypeVar("M", bound=Model)


def within_dates(
    queryset: QuerySet[M], field: str, since: date | None, until: date | None
) -> QuerySet[M]:
    """Rows whose `field` (a datetime) falls on or between two local dates, either open."""
    zone = timezone.get_current_timezone()
    lookups: dict[str, Any] = {}
    if since:
        lookups[f"{field}__gte"] = datetime.combine(since, time.min, tzinfo=zone)
    if until:
        lookups[f"{field}__lte"] = datetime.combine(until, time.max, tzinfo=zone)
    return queryset.filter(**lookups)

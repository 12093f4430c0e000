"""Starting an export: the one place that decides who gets which variant, and audits it."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from mend.accounts.models import User
from mend.core import audit
from mend.outcomes.export import writer
from mend.outcomes.export.tables import CAPABILITY, Variant
from mend.programs.models import Membership

READS_EVERYTHING = "cases.view_all"


def filename(membership: Membership, variant: Variant) -> str:
    today = timezone.localdate().isoformat()
    what = "full" if variant == Variant.FULL else "person-free"
    return f"mend-{membership.program.slug}-{what}-{today}.zip"


def start_export(*, membership: Membership, variant: Variant, by: User) -> Iterator[bytes]:
    """The zip's bytes, to stream. The export is audited before the first byte leaves;
    the audit row commits on its own, so a download cut short is still on record."""
    if not membership.can(CAPABILITY[variant]):
        raise PermissionDenied
    # Decrypted values only for a role that reads every record of every case anyway.
    if variant == Variant.FULL and not membership.can(READS_EVERYTHING):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=by,
            action="outcomes.exported",
            obj=membership.program,
            program=membership.program,
            variant=variant.value,
        )
    return writer.stream(membership.program, variant)

"""The audit trail page's rows: each event as a sentence, at the program's local time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from mend.core.audit_sentences import Reading, describe
from mend.core.models import AuditEvent
from mend.programs.models import Membership


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    # In the program's time zone, written the reader's language's way.
    when: str
    sentence: SafeString
    details: list[SafeString]


def audit_rows(events: Iterable[AuditEvent], reader: Membership) -> list[AuditRow]:
    events = list(events)
    reading = Reading.prepare(events, reader=reader)
    zone = ZoneInfo(reader.program.time_zone)
    rows = []
    for event in events:
        sentence = describe(event, reading)
        rows.append(
            AuditRow(
                event=event,
                when=date_format(timezone.localtime(event.occurred_at, zone), "DATETIME_FORMAT"),
                sentence=sentence.as_html(),
                details=[line.as_html() for line in sentence.details],
            )
        )
    return rows

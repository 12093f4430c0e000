"""What changed in a case since a given version, in sentences, from its audit trail.

When a form opened on an older version is refused, the person is told what their
colleague did meanwhile ("Jordan Lee recorded that Hana Harmed withdrew consent to meet
face to face in the case at 15:36"), so they can decide whether what they were about to
record still stands. The sentences are the audit trail's (mend.core.audit_sentences).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mend.cases.models import Case
from mend.core.audit_sentences import Reading, describe
from mend.core.models import AuditEvent

# How many of the latest changes are worth naming; the rest are counted.
SHOWN = 5


def changes_since(case: Case, version: int) -> list[str]:
    """Sentences for each change made after `version`, newest first."""
    count = max(case.version - version, 0)
    events = list(
        AuditEvent.objects.filter(
            subject_type="cases.case", subject_id=str(case.pk), details__has_key="version"
        )
        .select_related("actor")
        .order_by("-id")[: min(count, SHOWN)]
    )
    reading = Reading.prepare(events, name_cases=False)
    zone = ZoneInfo(case.program.time_zone)
    sentences = []
    for event in events:
        text = str(describe(event, reading))
        at = time_format(timezone.localtime(event.occurred_at, zone), "H:i")
        sentences.append(
            _("%(change)s at %(time)s.") % {"change": text[:1].upper() + text[1:], "time": at}
        )
    if count > SHOWN:
        earlier = count - SHOWN
        sentences.append(
            ngettext("And %(count)d earlier change.", "And %(count)d earlier changes.", earlier)
            % {"count": earlier}
        )
    if not sentences:
        sentences.append(_("Someone else changed this case while you were working on it."))
    return [_("Since you opened this form:"), *sentences]

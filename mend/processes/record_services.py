"""The conference record: written once a joint meeting was held, changed with a version
check. Like every write in a case, it takes the case's row lock and audits in the same
transaction; the audit names the fields changed (never their text), so each change stays
on record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases.models import Case
from mend.cases.services.base import Blocked, CaseRuleError, changed, lock_case
from mend.processes.models import ConferenceRecord, Meeting, PartyNeeds
from mend.processes.services import _lock_meeting

if TYPE_CHECKING:
    from mend.accounts.models import User

TEXTS = ("harms", "obligations", "agreed")


@dataclass(frozen=True)
class ConferenceDetails:
    speakers: tuple[int, ...] = ()
    harms: str = ""
    # Participant id -> what that party said they need.
    needs: Mapping[int, str] = field(default_factory=dict)
    obligations: str = ""
    agreed: str = ""


def _check(meeting: Meeting, details: ConferenceDetails) -> dict[int, str]:
    """The needs to keep, once the details are known to fit the meeting."""
    if meeting.status != Meeting.Status.HELD or not meeting.is_joint:
        raise Blocked(_("A conference record is kept only for a joint meeting that was held."))
    invitees = list(meeting.invitees.select_related("participant"))
    came = {i.participant_id for i in invitees if i.attended}
    parties = {i.participant_id for i in invitees if i.participant.is_party}
    errors: dict[str, str] = {}
    if set(details.speakers) - came:
        errors["speakers"] = _("Choose only people who came to the meeting.")
    needs = {pk: text.strip() for pk, text in details.needs.items() if text.strip()}
    if set(needs) - parties:
        errors["needs"] = _("Record needs only for the parties invited to the meeting.")
    texts = [getattr(details, name).strip() for name in TEXTS]
    if not errors and not (details.speakers or needs or any(texts)):
        errors["harms"] = _("Write down at least one thing said at the meeting.")
    if errors:
        raise ValidationError(errors)
    return needs


def _changed_fields(
    record: ConferenceRecord, details: ConferenceDetails, needs: dict[int, str]
) -> list[str]:
    names = [name for name in TEXTS if getattr(record, name) != getattr(details, name).strip()]
    if set(record.speakers.values_list("pk", flat=True)) != set(details.speakers):
        names.append("speakers")
    if {n.participant_id: n.text for n in record.needs.all()} != needs:
        names.append("needs")
    return names


@transaction.atomic
def record_conference(
    *,
    case: Case,
    meeting: Meeting,
    details: ConferenceDetails,
    by: User,
    expected_version: int | None,
    record_version: int | None = None,
) -> ConferenceRecord:
    """Write the record of a joint meeting held, or change it.

    `record_version` is the version of the record the form was opened on (None: the form
    was opened when there was no record yet).
    """
    lock_case(case, expected_version)
    meeting = _lock_meeting(case, meeting, None)
    needs = _check(meeting, details)
    record = ConferenceRecord.objects.select_for_update().filter(meeting=meeting).first()
    if record is not None and record_version != record.version:
        raise CaseRuleError(
            _(
                "Someone changed this conference record since you opened the form. "
                "Nothing was saved."
            )
        )
    if record is None:
        record = ConferenceRecord(meeting=meeting, recorded_by=by)
        names = [name for name in TEXTS if getattr(details, name).strip()]
        names += ["speakers"] if details.speakers else []
        names += ["needs"] if needs else []
        action = "conference.recorded"
    else:
        names = _changed_fields(record, details, needs)
        if not names:
            return record
        record.version += 1
        record.changed_by, record.changed_at = by, timezone.now()
        action = "conference.record_changed"
    for name in TEXTS:
        setattr(record, name, getattr(details, name).strip())
    record.save()
    record.speakers.set(details.speakers)
    record.needs.all().delete()
    PartyNeeds.objects.bulk_create(
        PartyNeeds(record=record, participant_id=pk, text=text) for pk, text in needs.items()
    )
    changed(
        case,
        by=by,
        action=action,
        obj=record,
        changed_fields=names,
        meeting=meeting.pk,
        record_version=record.version,
    )
    return record

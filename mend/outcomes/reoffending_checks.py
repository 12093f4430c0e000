"""Creating re-offending checks: one per responsible party of a completed case and per
follow-up window of the program (6, 12 and 24 months unless it chose others).

Checks are made when a case closes as completed (the case_changed hook) and by
`create_missing_checks` for cases closed before, or windows added later. Both may run
any number of times: a check exists once for each party and window.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from mend.cases import registry
from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome, Stage
from mend.core import audit
from mend.outcomes.models import ReoffendingCheck, settings_of
from mend.outcomes.periods import local_date
from mend.programs.models import Program

if TYPE_CHECKING:
    from mend.accounts.models import User

# The outcomes after which a responsible party's re-offending is followed up.
COMPLETED = frozenset({Outcome.COMPLETED_WITH_AGREEMENT, Outcome.COMPLETED_WITHOUT_AGREEMENT})


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def completion_date(case: Case) -> date | None:
    if case.stage != Stage.CLOSED or case.outcome not in COMPLETED or case.closed_at is None:
        return None
    return local_date(case.closed_at, case.program)


def followed_up(case: Case) -> list[Participant]:
    """The responsible parties of the case who took part to the end."""
    return list(
        case.participants.filter(
            role=Participant.Role.RESPONSIBLE, status=Participant.Status.ACTIVE
        ).order_by("id")
    )


def create_checks_for_case(case: Case, by: User | None = None) -> int:
    """Make the checks the case is missing; how many were made. Call under the case's
    row lock (the closing service holds it; create_missing_checks takes it)."""
    completed_on = completion_date(case)
    if completed_on is None:
        return 0
    months = settings_of(case.program).follow_up_months
    made = 0
    for participant in followed_up(case):
        have = set(participant.reoffending_checks.values_list("months", flat=True))
        for window in sorted(set(months) - have):
            ReoffendingCheck.objects.create(
                program=case.program,
                participant=participant,
                months=window,
                completed_on=completed_on,
                due_on=add_months(completed_on, window),
            )
            made += 1
    if made:
        audit.record(
            actor=by,
            action="reoffending.checks_created",
            obj=case,
            program=case.program,
            actor_label="" if by else "system",
            count=made,
        )
    return made


def on_case_changed(case: Case, by: User | None, reason: str) -> None:
    if reason == registry.CLOSED:
        create_checks_for_case(case, by)


def create_missing_checks(program: Program | None = None) -> int:
    """Checks for every completed case that lacks some (closed before this existed, or a
    window added since); how many were made. Each case under its own lock."""
    cases = Case.objects.filter(stage=Stage.CLOSED, outcome__in=COMPLETED)
    if program is not None:
        cases = cases.filter(program=program)
    made = 0
    for case_id in cases.order_by("id").values_list("id", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("program").get(pk=case_id)
            made += create_checks_for_case(case)
    return made

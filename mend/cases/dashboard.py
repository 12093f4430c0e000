"""The case panels on the dashboard: what needs doing next, for this member."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mend.cases.models import Case
from mend.cases.needs import (
    SCREENING_STAGES,
    assessments_expiring,
    harmed_without_offer,
    mine,
    waiting_to_screen,
    without_contact_consent,
)
from mend.cases.queries import cases_visible_to
from mend.cases.stages import ENDED
from mend.core.dashboard import Panel, PanelRow, register
from mend.programs.models import Membership

LIMIT = 10


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _row(case: Case, detail: str, overdue: bool = False) -> PanelRow:
    return PanelRow(case.reference, case.get_absolute_url(), detail, overdue)


def _oldest(cases: QuerySet[Case], stages: list[str], limit: int) -> list[Case]:
    """The first `limit` cases received, across `stages`: one short range scan per stage
    on the (program, stage, created_at) index. One ORDER BY over all the stages lets the
    planner walk every case of the program by date instead: seconds at a million cases."""
    found = [
        case
        for stage in stages
        for case in cases.filter(stage=stage).order_by("created_at", "pk")[:limit]
    ]
    return sorted(found, key=lambda case: (case.created_at, case.pk))[:limit]


@register
def case_panels(membership: Membership) -> list[Panel]:
    if not (membership.can("cases.view_all") or membership.can("cases.view_assigned")):
        return []
    today = timezone.localdate()
    program = membership.program
    visible = cases_visible_to(membership)
    open_cases = visible.exclude(stage__in=ENDED)
    panels: list[Panel] = []

    if membership.can("referrals.screen"):
        waiting = waiting_to_screen(open_cases)
        panels.append(
            Panel(
                "to_screen",
                gettext_lazy("Referrals to screen"),
                [
                    _row(c, _("received %(date)s") % {"date": date_format(c.created_at, "j M Y")})
                    for c in _oldest(open_cases, SCREENING_STAGES, LIMIT)
                ],
                waiting.count(),
                gettext_lazy("No referrals are waiting."),
                reverse("cases:list") + "?needs=screening",
            )
        )

    owed = (
        harmed_without_offer(visible).select_related("case", "person").order_by("case__created_at")
    )
    rows = []
    for participant in owed[:LIMIT]:
        due = add_working_days(
            timezone.localtime(participant.case.created_at).date(),
            program.rj_offer_deadline_working_days,
        )
        rows.append(
            _row(
                participant.case,
                _("%(name)s: offer due by %(date)s")
                % {"name": participant.person, "date": date_format(due, "j M Y")},
                overdue=due < today,
            )
        )
    panels.append(
        Panel(
            "offers_due",
            gettext_lazy("Restorative justice offers due"),
            rows,
            owed.count(),
            gettext_lazy("Every harmed party has been offered restorative justice."),
            reverse("cases:list") + "?needs=offer",
            more_count=owed.order_by().values("case_id").distinct().count(),
        )
    )

    outstanding = (
        without_contact_consent(visible)
        .select_related("case", "person")
        .order_by("case__created_at", "pk")
    )
    panels.append(
        Panel(
            "consents",
            gettext_lazy("Consents outstanding"),
            [
                _row(p.case, _("%(name)s: consent to be contacted") % {"name": p.person})
                for p in outstanding[:LIMIT]
            ],
            outstanding.count(),
            gettext_lazy("No consent is outstanding."),
            reverse("cases:list") + "?needs=consent",
            more_count=outstanding.order_by().values("case_id").distinct().count(),
        )
    )

    validity = program.assessment_validity_days
    expiring = (
        assessments_expiring(visible, validity, today)
        .select_related("participant__case", "participant__person")
        .order_by("assessed_on")
    )
    panels.append(
        Panel(
            "assessments",
            gettext_lazy("Safety assessments expiring in 14 days"),
            [
                _row(
                    a.participant.case,
                    _("%(name)s: current until %(date)s")
                    % {
                        "name": a.participant.person,
                        "date": date_format(a.assessed_on + timedelta(days=validity), "j M Y"),
                    },
                )
                for a in expiring[:LIMIT]
            ],
            expiring.count(),
            gettext_lazy("No assessment expires in the next 14 days."),
            reverse("cases:list") + "?needs=assessment",
            more_count=expiring.order_by().values("participant__case_id").distinct().count(),
        )
    )

    my_open = mine(open_cases, membership.user_id).order_by("-updated_at")
    panels.append(
        Panel(
            "my_cases",
            gettext_lazy("My cases"),
            [_row(c, c.get_stage_display()) for c in my_open[:LIMIT]],
            my_open.count(),
            gettext_lazy("You have no open cases."),
            reverse("cases:list") + "?mine=1&open=1",
        )
    )
    return panels

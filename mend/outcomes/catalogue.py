"""The measures Mend reports, each registered once (see mend.outcomes.measures).

Every rule here is also written out in docs/measures.md.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Referral
from mend.outcomes import measures
from mend.outcomes.measures import Dimension, Measure
from mend.outcomes.periods import Period, bounds
from mend.programs.models import Program


def received(program: Program, period: Period) -> QuerySet[Any]:
    """Referrals received in the period (by the day they reached Mend)."""
    start, end = bounds(period, program)
    return Referral.objects.filter(program=program, created_at__gte=start, created_at__lt=end)


REFERRALS = Measure(
    code="referrals",
    label=_("Referrals received"),
    rule=_(
        "Every referral that reached the program in the period, counted on the day it was "
        "received, whatever was decided on it. Declined referrals and duplicates count."
    ),
    rows=received,
    case_path="case",
    date_path="created_at",
    dimensions=(
        Dimension("offence", _("Offence"), "offence_category__label"),
        Dimension("justice_stage", _("Where the matter stands"), "justice_stage"),
        Dimension("source", _("Referring agency"), "agency__kind"),
    ),
)


def register_all() -> None:
    from mend.outcomes.reoffending_measures import MEASURES as REOFFENDING

    for measure in (REFERRALS, *REOFFENDING):
        measures.register(measure)

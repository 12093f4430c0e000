"""The figures of the funder returns, each a Measure: what it counts is its `rows`.

Figures about victims count people (Person, distinct), not participations: the rows are
the harmed participations (so the drill-down can name each case), and the value counts
their distinct people.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case as CaseRecord
from mend.cases.models import ConsentEntry, Participant, RJOffer
from mend.cases.stages import Outcome
from mend.core.languages import language_name
from mend.outcomes import measures
from mend.outcomes.measures import Dimension, Measure
from mend.outcomes.periods import Period, bounds, federal_fiscal_year, federal_fiscal_year_period
from mend.outcomes.returns import served as s
from mend.programs.models import ConsentPurpose, Program
from mend.programs.practice import DIRECT_PROCESSES, INDIRECT_PROCESSES

# -- VOCA -------------------------------------------------------------------------------


def fiscal_year_start(period: Period) -> date:
    return federal_fiscal_year_period(federal_fiscal_year(period.start)).start


def _earlier_in_fiscal_year(program: Program, period: Period) -> Any:
    """The row's person was served, on any case, earlier in the same federal fiscal year."""
    return s.served_between(
        program, fiscal_year_start(period), period.start, outer="person", by_person=True
    )


def voca_served(program: Program, period: Period) -> QuerySet[Any]:
    return s.served(program, period)


def voca_continuing(program: Program, period: Period) -> QuerySet[Any]:
    return s.served(program, period).filter(_earlier_in_fiscal_year(program, period))


# VOCA's age bands, by the age on the victim's first service of the fiscal year.
AGE_BANDS = (
    ("0_12", _("Aged 0 to 12")),
    ("13_17", _("Aged 13 to 17")),
    ("18_24", _("Aged 18 to 24")),
    ("25_59", _("Aged 25 to 59")),
    ("60_plus", _("Aged 60 and older")),
    ("not_recorded", _("Age not recorded")),
)
_AGE_WORDS = dict(AGE_BANDS)


def _years_before(day: date, years: int) -> date:
    # Quarters start and end on days every year has (never 29 February).
    return date(day.year - years, day.month, day.day)


def _age_band(day: str, born: str, period: Period) -> Case:
    """Whole years from `born` to `day` (a day in `period`), as one of AGE_BANDS, in SQL.

    Most people are in the same band all quarter, which their date of birth alone shows;
    only for those with a 13th, 18th, 25th or 60th birthday in the quarter is their age
    worked out on `day`, the costly part (CASE stops at the first condition met)."""

    def month_day(path: str) -> Any:
        return ExtractMonth(path) * 100 + ExtractDay(path)

    before_birthday = Case(When(LessThan(month_day(day), month_day(born)), then=1), default=0)
    age = ExtractYear(day) - ExtractYear(born) - before_birthday
    last = period.end - timedelta(days=1)
    whens = [When(**{f"{born}__isnull": True}, then=Value("not_recorded"))]
    for top, band in ((13, "0_12"), (18, "13_17"), (25, "18_24"), (60, "25_59")):
        # Younger than `top` on the quarter's last day: younger all quarter.
        whens.append(When(**{f"{born}__gt": _years_before(last, top)}, then=Value(band)))
        # Younger on its first day only: it depends on the day.
        whens.append(
            When(
                Q(**{f"{born}__gt": _years_before(period.start, top)}) & LessThan(age, top),
                then=Value(band),
            )
        )
    return Case(*whens, default=Value("60_plus"))


def voca_new(program: Program, period: Period) -> QuerySet[Any]:
    # For a new victim the first service of the fiscal year is their first in this
    # quarter, on whichever of their cases it was.
    return (
        s.served(program, period)
        .filter(~_earlier_in_fiscal_year(program, period))
        .annotate(
            first_of_year=s.first_day(
                program, period.start, period.end, outer="person", by_person=True
            )
        )
        .annotate(age_band=_age_band("first_of_year", "person__date_of_birth", period))
    )


def _language_words(code: Any) -> str:
    return language_name(code) if code else gettext("Language not recorded")


def _age_words(code: Any) -> str:
    return str(_AGE_WORDS.get(code, code))


SERVED_RULE = _(
    "Each person who is a harmed party in a case of the program counts once in a quarter "
    "when at least one of these happened to them in the quarter, on any of their cases: "
    "restorative justice was offered to them; a consent decision of theirs was recorded "
    "(any purpose; given, declined or withdrawn); a contact attempt reached them; they "
    "attended a meeting that was held; a letter or message they wrote or were sent was "
    "delivered. Days are read in the program's time zone. A person harmed in two cases "
    "counts once."
)

VOCA_SERVED = Measure(
    code="voca_served",
    label=_("Victims served"),
    rule=SERVED_RULE,
    rows=voca_served,
    case_path="case",
    date_path="served_on",
    distinct="person",
)
VOCA_NEW = Measure(
    code="voca_new",
    label=_("New victims"),
    rule=_(
        "Victims served in the quarter who were not served earlier in the same US federal "
        "fiscal year (1 October to 30 September). A victim is new once per fiscal year: "
        "in the first quarter of the year they are served, and again in the first quarter "
        "they are served in a later fiscal year."
    ),
    rows=voca_new,
    case_path="case",
    date_path="served_on",
    distinct="person",
    dimensions=(
        Dimension("age_band", _("Age"), "age_band", _age_words),
        Dimension(
            "language", _("Preferred language"), "person__preferred_language", _language_words
        ),
    ),
)
VOCA_CONTINUING = Measure(
    code="voca_continuing",
    label=_("Continuing victims"),
    rule=_(
        "Victims served in the quarter who were also served earlier in the same federal "
        "fiscal year. New and continuing victims add up to the victims served."
    ),
    rows=voca_continuing,
    case_path="case",
    date_path="served_on",
    distinct="person",
)
AGE_RULE = _(
    "New victims only, by their age on the first day they were served in the fiscal "
    "year, from the date of birth recorded; “not recorded” when there is none. "
    "Mend records no gender, race or ethnicity, so VOCA's other demographics are not "
    "reported."
)
LANGUAGE_RULE = _(
    "New victims only, by the preferred language recorded on their person record; "
    "“not recorded” when there is none."
)

# -- UK police and crime commissioner ----------------------------------------------------


def pcc_offered(program: Program, period: Period) -> QuerySet[Any]:
    return RJOffer.objects.filter(
        participant__case__program=program,
        participant__role=Participant.Role.HARMED,
        offered_on__gte=period.start,
        offered_on__lt=period.end,
    )


def _meetings(code: str, kinds: frozenset[str]) -> s.Service:
    meeting = next(service for service in s.SERVICES if service.code == "meeting")
    return s.Service(
        code,
        meeting.model,
        meeting.parties,
        meeting.day,
        meeting.moment,
        meeting.where & Q(meeting__kind__in=sorted(kinds)),
    )


DIRECT = (_meetings("direct", DIRECT_PROCESSES),)
LETTER = next(service for service in s.SERVICES if service.code == "letter")
INDIRECT = (_meetings("shuttle", INDIRECT_PROCESSES), LETTER)


def _took_part(program: Program, period: Period, services: tuple[s.Service, ...]) -> QuerySet[Any]:
    return (
        s.harmed_parties(program)
        .filter(s.served_ids(program, period.start, period.end, services))
        .annotate(took_part_on=s.first_day(program, period.start, period.end, services=services))
    )


def pcc_direct(program: Program, period: Period) -> QuerySet[Any]:
    return _took_part(program, period, DIRECT)


def pcc_indirect(program: Program, period: Period) -> QuerySet[Any]:
    return _took_part(program, period, INDIRECT)


def victims_engaged(program: Program, period: Period) -> QuerySet[Any]:
    return _took_part(program, period, DIRECT + INDIRECT)


def pcc_completed(program: Program, period: Period) -> QuerySet[Any]:
    start, end = bounds(period, program)
    return CaseRecord.objects.filter(
        program=program,
        outcome=Outcome.COMPLETED_WITH_AGREEMENT,
        closed_at__gte=start,
        closed_at__lt=end,
    )


PCC_OFFERED = Measure(
    code="pcc_offered",
    label=_("Victims offered restorative justice"),
    rule=_(
        "Each person who is a harmed party and was offered restorative justice in the "
        "quarter (the day of the offer, however it was made and whatever they answered). "
        "Someone offered it twice, or in two cases, counts once."
    ),
    rows=pcc_offered,
    case_path="participant__case",
    date_path="offered_on",
    distinct="participant__person",
)
PCC_DIRECT = Measure(
    code="pcc_direct",
    label=_("Victims who took part in a direct process"),
    rule=_(
        "Each harmed person who attended, in the quarter, a meeting that was held of a "
        "process where the parties meet: mediation, a conference, a circle, a community "
        "panel or a police-community process (the day it started). Preparation meetings "
        "do not count."
    ),
    rows=pcc_direct,
    case_path="case",
    date_path="took_part_on",
    distinct="person",
)
PCC_INDIRECT = Measure(
    code="pcc_indirect",
    label=_("Victims who took part in an indirect process"),
    rule=_(
        "Each harmed person who, in the quarter, attended a shuttle-mediation meeting that "
        "was held, or wrote or was sent a letter or message that was delivered (the day "
        "of the meeting or of delivery). Someone who took part both directly and "
        "indirectly counts in both figures."
    ),
    rows=pcc_indirect,
    case_path="case",
    date_path="took_part_on",
    distinct="person",
)
VICTIMS_ENGAGED = Measure(
    code="victims_engaged",
    label=_("Victims who took part in a restorative process"),
    rule=_(
        "Each harmed person who took part in a direct or an indirect process in the "
        "quarter, as the two figures above count it; someone who did both counts once."
    ),
    rows=victims_engaged,
    case_path="case",
    date_path="took_part_on",
    distinct="person",
)
PCC_COMPLETED = Measure(
    code="pcc_completed",
    label=_("Cases completed with an agreement"),
    rule=_(
        "Cases closed in the quarter with the outcome “completed with agreement” "
        "(the day the case was closed). Cases where an agreement was reached but not "
        "carried out do not count."
    ),
    rows=pcc_completed,
    case_path="",
    date_path="closed_at",
)

# -- Youth justice -------------------------------------------------------------------


def yj_consented(program: Program, period: Period) -> QuerySet[Any]:
    return ConsentEntry.objects.filter(
        participant__case__program=program,
        participant__role=Participant.Role.HARMED,
        purpose=ConsentPurpose.CONTACT,
        decision=ConsentEntry.Decision.GIVEN,
        decided_on__gte=period.start,
        decided_on__lt=period.end,
    )


YJ_CONSENTED = Measure(
    code="yj_consented",
    label=_("Victims who consented to be contacted"),
    rule=_(
        "Each harmed person whose consent to be contacted was recorded as given in the "
        "quarter (the day of the decision), their own or a parent's for a child. Someone "
        "who consented in two cases counts once."
    ),
    rows=yj_consented,
    case_path="participant__case",
    date_path="decided_on",
    distinct="participant__person",
)

RETURN_MEASURES = (
    VOCA_SERVED,
    VOCA_NEW,
    VOCA_CONTINUING,
    PCC_OFFERED,
    PCC_DIRECT,
    PCC_INDIRECT,
    VICTIMS_ENGAGED,
    PCC_COMPLETED,
    YJ_CONSENTED,
)


def register_all() -> None:
    """Called at the end of mend.outcomes.catalogue.register_all."""
    for measure in RETURN_MEASURES:
        measures.register(measure)
    # Each victim served is new or continuing, never both.
    measures.register_sum(VOCA_SERVED, (VOCA_NEW, VOCA_CONTINUING))

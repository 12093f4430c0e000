"""Demo cases: about 150 synthetic cases over every stage, closure outcome and decline reason.

Every case is built through `mend.cases.services`, so it obeys the same practice rules as a
case entered by hand: consent only through the ledger, a current suitable safety assessment
for everyone taking part before the restorative process, an outcome on every ended case.

Everything here is invented and deterministic (one seeded random generator): names come from
the short lists below, phone numbers from 555-0100 to 555-0199 (reserved for fiction),
e-mail addresses from example.org and example.net (reserved for documentation) and every
address is in "Demo City". Dates are relative to the day the demo is loaded.

Back-dating: the services stamp each row with the current time. So that lists, timelines
and dashboards look like a program that has been running for a year, each case's story is
first planned on a calendar reaching back about twelve months, then built through the
services, and finally its own rows (referral, case, stage changes, consents, assessments,
offers, notes, eligibility decisions...) are moved to that calendar with bulk updates, in
order, and the case references renumbered by referral date. Safety assessments are recorded
as of today (the rules judge them current against today) and then moved to their planned
dates too; the plan keeps those of cases now in the restorative process current. This is
done for demo data only. The audit trail is append-only and keeps the real load time.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Max
from django.utils import timezone

from mend.accounts.models import User
from mend.cases import services
from mend.cases.models import (
    Case,
    CaseAssignment,
    ConsentEntry,
    ContactMethod,
    JusticeStage,
    Note,
    Participant,
    Referral,
    RJOffer,
    SafetyAssessment,
    StageChange,
)
from mend.cases.rules import purpose_for_process
from mend.cases.stages import ENDED, Outcome, Stage
from mend.core.languages import language_name
from mend.programs.demo import POLICE, PROSECUTOR, DemoContext
from mend.programs.models import ConsentPurpose, OffenceCategory, ProcessType
from mend.programs.practice import INDIRECT_PROCESSES

SEED = 4217
# The demo program already has its cases: loading the demo again adds nothing.
ENOUGH = 100

GIVEN_NAMES = [
    "Amara", "Bao", "Carmen", "Dariusz", "Efua", "Farid", "Greta", "Hiroshi", "Imani",
    "Joaquín", "Keala", "Leilani", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quinn",
    "Rosalind", "Santiago", "Tamsin", "Uchenna", "Valentina", "Wen", "Xiomara", "Yusuf",
    "Zainab", "Aroha", "Bjørn", "Chidi", "Dalia", "Emeka", "Fatima", "Gideon", "Hana",
    "Ikaika", "Jasmine", "Kofi", "Lucía", "Malik", "Noor", "Orla", "Pavel", "Rania", "Soren",
    "Thandiwe", "Tomasz", "Yara", "Zeynep", "Anouk", "Benedikt", "Cosima", "Desmond",
    "Esperanza", "Florin", "Giulia", "Hamza", "Inés", "Jonah", "Kiri", "Luca", "Marisol",
    "Nikolai", "Odessa", "Rafael", "Saoirse", "Teodoro", "Vikram", "Winona",
]  # fmt: skip
FAMILY_NAMES = [
    "Abernathy", "Balogun", "Castellanos", "Dimitrova", "Eklund", "Fairweather", "Gutiérrez",
    "Haddad", "Ibarra", "Jovanović", "Kowalczyk", "Lindqvist", "Mwangi", "Nakamura",
    "Okonjo", "Petrosyan", "Quintero", "Rahman", "Svensson", "Takahashi", "Umarov", "Valdez",
    "Whitlock", "Xu", "Yilmaz", "Zamora", "Ashdown", "Brennan", "Chaudhry", "Delgado",
    "Esposito", "Greenleaf", "Hollis", "Iyer", "Kaur", "Larkin", "Moreau", "Novak",
    "Oyelaran", "Pham", "Quigley", "Rosales", "Sandoval", "Thornbury", "Wakefield",
    "Yamamoto", "Zieliński",
]  # fmt: skip
STREETS = [
    "Juniper Row", "Larkspur Lane", "Quarry Hill Road", "Old Mill Court", "Tamarack Way",
    "Heron Bend", "Cobalt Street", "Orchard Terrace", "Willowbrook Drive", "Foundry Lane",
    "Sable Avenue", "Kestrel Close", "Marigold Place", "Lantern Street", "Birchfield Road",
]  # fmt: skip
# Where the demo's incidents happened, for the reports by place.
AREAS = ["Old Town", "Riverside", "Northgate", "Eastfield", "Harbour"]
PRECINCTS = ["1", "2", "3", "4"]

PLACES = [
    "the Larkspur Lane corner shop", "Demo City Central Library", "the Tamarack Way bus stop",
    "Heron Bend Park", "the Cobalt Street parking garage", "Westside Middle School",
    "Demo City High School", "the Foundry Lane market", "the Orchard Terrace apartments",
    "the Sable Avenue skate park", "the Kestrel Close community garden",
]  # fmt: skip
# Language codes (mend.core.languages): English, Spanish, Vietnamese, Somali, Tagalog,
# Amharic and American Sign Language.
LANGUAGES = ["en", "es", "vi", "so", "tl", "am", "ase"]
LANGUAGE_WEIGHTS = [74, 15, 3, 2, 2, 2, 2]
ACCESSIBILITY = [
    "Uses a wheelchair; ground-floor rooms only.",
    "Hard of hearing; prefers text messages to calls.",
    "Dyslexic; letters should be followed up by a call.",
    "Works night shifts; calls after 2 p.m. only.",
    "Anxiety in busy places; quiet waiting room please.",
]
PROSECUTORS = [
    ("ADA Mireille Okonjo", "m.okonjo@example.net", "555-0161", "DA-2231"),
    ("ADA Tobias Lindqvist", "t.lindqvist@example.net", "555-0162", "DA-2274"),
    ("ADA Renata Villalobos", "r.villalobos@example.net", "555-0163", "DA-2302"),
]
POLICE_REFERRER = ("rory.referrer@example.net", "555-0142", "DCPD-4471")

# Offence categories drawn at random, with weights; the specialist and excluded ones only
# appear where a plan asks for them.
CATEGORY_WEIGHTS = {
    "theft": 16,
    "criminal_damage": 14,
    "school_harm": 11,
    "assault": 10,
    "burglary": 9,
    "neighbour_dispute": 8,
    "vehicle_crime": 7,
    "public_order": 7,
    "harassment": 7,
    "fraud": 5,
    "other": 3,
}
SUMMARIES = {
    "criminal_damage": [
        "Graffiti sprayed across the front wall of {place}.",
        "Two windows broken at {place} late at night.",
        "Planters and a bench damaged outside {place}.",
    ],
    "theft": [
        "Goods worth about $180 taken from {place}.",
        "A bicycle taken from the rack outside {place}.",
        "A wallet taken from a bag left on a chair at {place}.",
    ],
    "burglary": [
        "A home near {place} entered through a back window; a laptop and jewellery taken.",
        "A garden shed near {place} broken into and power tools taken.",
    ],
    "vehicle_crime": [
        "A car window smashed at {place} and a bag taken from the back seat.",
        "A car taken from {place} for a joyride and left damaged two streets away.",
    ],
    "assault": [
        "A fight outside {place} after an argument; the harmed party needed stitches.",
        "Punched once during a dispute at {place}; bruising, no lasting injury.",
    ],
    "public_order": [
        "Shouting and threats at staff at {place}.",
        "A late-night disturbance by a group of young people at {place}.",
    ],
    "harassment": [
        "Repeated abusive messages sent over several weeks.",
        "Threatening notes left at the harmed party's door.",
    ],
    "neighbour_dispute": [
        "A long-running dispute over noise and a shared fence ended with damage to a car.",
        "Arguments between neighbours about parking turned into threats.",
    ],
    "school_harm": [
        "A pupil was pushed and filmed at {place}; the video was shared online.",
        "Name-calling and exclusion over a term at {place} ended in a fight.",
    ],
    "fraud": [
        "Payment taken through an online marketplace for a phone that was never sent.",
        "A relative's bank card used without permission for about $600 of purchases.",
    ],
    "hate_crime": [
        "Racist abuse shouted at a shopkeeper at {place}.",
        "Religious slurs sprayed on the door of a community hall near {place}.",
    ],
    "domestic_abuse": [
        "Damage and threats during an argument between former partners; no children.",
    ],
    "stalking": ["The harmed party was followed home from {place} on several evenings."],
    "sexual_offence": ["Details are held by the referring agency."],
    "other": [
        "A community garden plot at {place} dug up and the produce taken.",
        "An argument at {place} over a dog off its lead turned into threats.",
    ],
}
PROCESSES_BY_CATEGORY = {
    "school_harm": [ProcessType.CIRCLE, ProcessType.CONFERENCE],
    "neighbour_dispute": [ProcessType.MEDIATION, ProcessType.MEDIATION, ProcessType.CIRCLE],
    "harassment": [ProcessType.SHUTTLE, ProcessType.MEDIATION],
    "domestic_abuse": [ProcessType.SHUTTLE, ProcessType.LETTER_EXCHANGE],
    "stalking": [ProcessType.LETTER_EXCHANGE],
    "hate_crime": [
        ProcessType.CONFERENCE,
        ProcessType.COMMUNITY_PANEL,
        ProcessType.POLICE_COMMUNITY,
    ],
    "public_order": [
        ProcessType.COMMUNITY_PANEL,
        ProcessType.POLICE_COMMUNITY,
        ProcessType.CONFERENCE,
    ],
    "criminal_damage": [ProcessType.CONFERENCE, ProcessType.COMMUNITY_PANEL],
    "vehicle_crime": [ProcessType.CONFERENCE, ProcessType.COMMUNITY_PANEL],
}
DEFAULT_PROCESSES = [
    ProcessType.CONFERENCE,
    ProcessType.CONFERENCE,
    ProcessType.MEDIATION,
    ProcessType.SHUTTLE,
    ProcessType.LETTER_EXCHANGE,
]
CONDITIONS = [
    "A support worker sits in; a break is offered every 30 minutes.",
    "Separate arrival and departure times; the parties do not share a waiting room.",
    "Meeting held at the Lantern Street community centre, away from the harmed party's home.",
    "Interpreter present for the whole of every meeting.",
    "Guardian present throughout; other pupils are not discussed.",
    "Indirect contact only until the facilitator reviews after the first exchange.",
]
SPECIALIST_JUSTIFICATION = (
    "The harmed party asked for restorative justice. A facilitator trained for this "
    "category leads, the specialist support service agrees, and the process stays "
    "indirect until a further safety review."
)
DECLINE_NOTES: dict[str, list[str]] = {
    Referral.DeclineReason.NOT_ELIGIBLE: [
        "The harmed party cannot be identified from the referral.",
        "The incident was not reported to the police or to the referring agency.",
    ],
    Referral.DeclineReason.EXCLUDED_OFFENCE: [
        "The program does not accept this offence category; the referrer was told which "
        "specialist service to contact.",
    ],
    Referral.DeclineReason.NO_ADMISSION: [
        "The responsible party denies the offence and intends to contest it in court.",
        "The officer confirmed the responsible party does not accept the basic facts.",
    ],
    Referral.DeclineReason.NOT_WILLING: [
        "The harmed party does not wish to take part and asked not to be contacted again.",
    ],
    Referral.DeclineReason.REFERRED_ELSEWHERE: [
        "Passed to the county youth diversion panel, which already works with the family.",
        "Passed to the Demo City community mediation service, better suited to this dispute.",
    ],
    Referral.DeclineReason.DUPLICATE: [
        "The same incident was referred by the District Attorney's office the day before.",
        "Sent twice from the police referral form; the earlier referral is being screened.",
    ],
    Referral.DeclineReason.OTHER: [
        "The responsible party has moved out of state; the referring officer agrees to close.",
    ],
}

# How long a case spends in each step, in days: (fewest, most).
GAP: dict[
    str, tuple[float, float]
] = {  # from arriving at the previous stage to moving on to this one
    Stage.SCREENING: (0.1, 3.0),
    Stage.CONTACT: (0.5, 6.0),
    Stage.PREPARATION: (6.0, 28.0),
    Stage.PROCESS: (8.0, 35.0),
    Stage.AGREEMENT: (1.0, 12.0),
}
TAIL: dict[
    str, tuple[float, float]
] = {  # how long an open case has been in its current stage so far
    Stage.REFERRAL: (0.05, 9.0),
    Stage.SCREENING: (0.5, 9.0),
    Stage.CONTACT: (1.0, 28.0),
    Stage.PREPARATION: (2.0, 35.0),
    Stage.PROCESS: (1.0, 25.0),
    Stage.AGREEMENT: (5.0, 80.0),
}
END_AFTER: dict[str, tuple[float, float]] = {  # from reaching the last stage to the ending
    "decline": (0.5, 8.0),
    "withdrawn": (2.0, 25.0),
    Outcome.UNABLE_TO_CONTACT: (24.0, 50.0),
    Outcome.REFERRED_ELSEWHERE: (4.0, 20.0),
    Outcome.NOT_SUITABLE: (2.0, 12.0),
    Outcome.COMPLETED_WITHOUT_AGREEMENT: (2.0, 14.0),
    Outcome.COMPLETED_WITH_AGREEMENT: (20.0, 100.0),
    Outcome.AGREEMENT_NOT_COMPLETED: (30.0, 100.0),
}
MAIN: list[str] = [
    Stage.REFERRAL,
    Stage.SCREENING,
    Stage.CONTACT,
    Stage.PREPARATION,
    Stage.PROCESS,
    Stage.AGREEMENT,
]
ASSESSMENT = "assessment"
PAUSE = "pause"
END = "end"


@dataclass(frozen=True)
class Plan:
    """Where one demo case is left, and how it got there."""

    stage: str  # the case's stage once built
    reach: str  # the furthest stage it reached on the main path
    outcome: str = ""
    decline: str = ""
    variant: str = ""
    category: str = ""
    expiring: bool = False  # a safety assessment runs out within 14 days


def _plans() -> list[Plan]:
    st, out, why = Stage, Outcome, Referral.DeclineReason
    plans: list[Plan] = []

    def add(count: int, stage: str, reach: str, **kwargs: Any) -> None:
        plans.extend(Plan(stage, reach, **kwargs) for _ in range(count))

    # Open cases, from referrals waiting for screening to agreements being followed up.
    add(5, st.REFERRAL, st.REFERRAL, variant="offer_due")
    add(3, st.REFERRAL, st.REFERRAL)
    add(2, st.SCREENING, st.SCREENING, variant="fresh")
    add(3, st.SCREENING, st.SCREENING, variant="decided")
    add(2, st.SCREENING, st.SCREENING, variant="waiting")
    add(6, st.CONTACT, st.CONTACT, variant="none")
    add(5, st.CONTACT, st.CONTACT, variant="harmed_only")
    add(1, st.CONTACT, st.CONTACT, variant="harmed_only", category="hate_crime")
    add(3, st.CONTACT, st.CONTACT, variant="ready")
    add(2, st.CONTACT, st.CONTACT, variant="hard_to_reach")
    add(5, st.PREPARATION, st.PREPARATION, variant="early")
    add(5, st.PREPARATION, st.PREPARATION, variant="assessing")
    add(4, st.PREPARATION, st.PREPARATION, variant="ready")
    add(1, st.PREPARATION, st.PREPARATION, variant="ready", category="domestic_abuse")
    add(1, st.PREPARATION, st.PREPARATION, variant="ready", expiring=True)
    add(11, st.PROCESS, st.PROCESS)
    add(1, st.PROCESS, st.PROCESS, category="hate_crime")
    add(2, st.PROCESS, st.PROCESS, expiring=True)
    add(12, st.AGREEMENT, st.AGREEMENT)
    add(1, st.AGREEMENT, st.AGREEMENT, expiring=True)
    for paused_from in (
        st.CONTACT,
        st.CONTACT,
        st.PREPARATION,
        st.PREPARATION,
        st.PREPARATION,
        st.PROCESS,
        st.PROCESS,
        st.AGREEMENT,
    ):
        add(1, st.PAUSED, paused_from)
    # Declined referrals: two for each reason.
    for reason in why.values:
        if reason == why.EXCLUDED_OFFENCE:
            add(1, st.CLOSED, st.SCREENING, decline=reason, category="sexual_offence")
            add(1, st.CLOSED, st.SCREENING, decline=reason, category="stalking")
        else:
            reach = st.REFERRAL if reason == why.DUPLICATE else st.SCREENING
            add(2, st.CLOSED, reach, decline=reason)
    # Closed cases, one kind of ending after another.
    add(16, st.CLOSED, st.AGREEMENT, outcome=out.COMPLETED_WITH_AGREEMENT)
    add(2, st.CLOSED, st.AGREEMENT, outcome=out.AGREEMENT_NOT_COMPLETED)
    add(1, st.CLOSED, st.AGREEMENT, outcome=out.COMPLETED_WITH_AGREEMENT, category="hate_crime")
    add(6, st.CLOSED, st.PROCESS, outcome=out.COMPLETED_WITHOUT_AGREEMENT)
    for category in ("domestic_abuse", "stalking", "harassment", "assault"):
        add(1, st.CLOSED, st.PREPARATION, outcome=out.NOT_SUITABLE, category=category)
    add(6, st.CLOSED, st.CONTACT, outcome=out.UNABLE_TO_CONTACT)
    add(3, st.CLOSED, st.CONTACT, outcome=out.REFERRED_ELSEWHERE)
    for reach in (st.CONTACT, st.CONTACT, st.CONTACT, st.PREPARATION, st.PREPARATION):
        add(1, st.WITHDRAWN, reach, outcome=out.WITHDRAWN_BY_HARMED_PARTY)
    add(1, st.WITHDRAWN, st.PREPARATION, outcome=out.WITHDRAWN_BY_HARMED_PARTY)
    add(1, st.WITHDRAWN, st.PROCESS, outcome=out.WITHDRAWN_BY_HARMED_PARTY)
    add(
        1,
        st.WITHDRAWN,
        st.PREPARATION,
        outcome=out.WITHDRAWN_BY_HARMED_PARTY,
        variant="paused_first",
    )
    for reach in (
        st.CONTACT,
        st.CONTACT,
        st.PREPARATION,
        st.PREPARATION,
        st.PROCESS,
        st.PROCESS,
        st.AGREEMENT,
    ):
        add(1, st.WITHDRAWN, reach, outcome=out.WITHDRAWN_BY_RESPONSIBLE_PARTY)
    return plans


def _timeline(plan: Plan, rng: random.Random) -> tuple[dict[str, float], float]:
    """The milestones of a case in days after its referral, and how long ago that was."""
    days: dict[str, float] = {Stage.REFERRAL: 0.0}
    reached = MAIN[: MAIN.index(plan.reach) + 1]
    for previous, stage in pairwise(reached):
        days[stage] = days[previous] + rng.uniform(*GAP[stage])
    last = days[plan.reach]
    if plan.reach in (Stage.PROCESS, Stage.AGREEMENT):
        # Assessed shortly before the process starts (GAP[PROCESS] is at least 8 days).
        days[ASSESSMENT] = days[Stage.PROCESS] - rng.uniform(0.5, 7.5)
    elif plan.reach == Stage.PREPARATION and (
        (plan.stage == Stage.PREPARATION and plan.variant in ("assessing", "ready"))
        or plan.outcome == Outcome.NOT_SUITABLE
    ):
        days[ASSESSMENT] = last = last + rng.uniform(1.0, 6.0)
    if plan.stage == Stage.PAUSED or plan.variant == "paused_first":
        days[PAUSE] = last = last + rng.uniform(2.0, 15.0)
    if plan.stage in ENDED:
        key = "decline" if plan.decline else plan.outcome
        if plan.stage == Stage.WITHDRAWN:
            key = "withdrawn"
        days[END] = last = last + rng.uniform(*END_AFTER[key])
        ago = rng.uniform(1.0, max(1.5, min(300.0, 358.0 - last)))
    elif plan.stage == Stage.PAUSED:
        ago = rng.uniform(3.0, 45.0)
    else:
        ago = rng.uniform(*TAIL[plan.stage])
    if plan.expiring:
        # Assessed 77 to 86 days ago: current for 90 days, so it runs out within 14.
        ago = rng.uniform(77.0, 86.0) - (last - days[ASSESSMENT])
    return days, last + ago


def _ascii(text: str) -> str:
    text = text.translate(str.maketrans("øØłđ", "oOld"))
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


@dataclass
class Happened:
    """A restorative process that took place in a demo case, for the apps built on cases
    to record through their own services (meetings held, letters delivered): cases cannot
    import them. `at` is when it happened; `stamp(row, created_at=...)` back-dates a row."""

    case: Case
    process: str
    at: datetime
    by: User
    rng: random.Random
    participants: list[Participant]
    # An outline of an agreement was reached at the meeting.
    agreed: bool
    stamp: Any


class HappenedHook(Protocol):
    def __call__(self, happened: Happened) -> None: ...


_happened: list[HappenedHook] = []


def add_happened(hook: HappenedHook) -> None:
    """Register what a later app records when a demo case's process takes place."""
    if hook not in _happened:
        _happened.append(hook)


@dataclass
class Agreed:
    """A demo case that reached agreement and follow-up, for the app that keeps agreements
    to record the plan and how far it has been kept. `kept` says the case will close as
    completed with agreement: every term must then be done."""

    case: Case
    at: datetime
    by: User
    rng: random.Random
    participants: list[Participant]
    kept: bool
    stamp: Any


class AgreedHook(Protocol):
    def __call__(self, agreed: Agreed) -> None: ...


_agreed: list[AgreedHook] = []


def add_agreed(hook: AgreedHook) -> None:
    """Register what a later app records when a demo case reaches agreement."""
    if hook not in _agreed:
        _agreed.append(hook)


class _Loader:
    """Plans, builds and back-dates the demo cases of one program."""

    def __init__(self, context: DemoContext) -> None:
        self.program = context.program
        self.users = context.users
        self.police = context.agencies[POLICE]
        self.prosecutor = context.agencies[PROSECUTOR]
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.stories = context.case_stories
        self.now = timezone.now()
        self.cap = self.now - timedelta(minutes=5)
        self.today = timezone.localdate()
        self.tz = ZoneInfo(self.program.time_zone)
        self.categories = {c.code: c for c in self.program.offence_categories.all()}
        self.criteria = list(
            self.program.eligibility_criteria.filter(is_active=True).values_list("code", flat=True)
        )
        self.stamps: dict[type[models.Model], dict[Any, dict[str, Any]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self.used_names: set[tuple[str, str]] = set()
        self.bag: list[str] = []
        self.serial = 0
        self.created: list[tuple[int, datetime]] = []

    def run(self) -> None:
        plans = _plans()
        if self.stories is not None and self.stories < len(plans):
            # Evenly spread, so a few stories still reach every stage.
            plans = [plans[i * len(plans) // self.stories] for i in range(self.stories)]
        planned = [(plan, *_timeline(plan, self.rng)) for plan in plans]
        # Oldest referral first, as they would have arrived.
        planned.sort(key=lambda item: -item[2])
        for plan, days, ago in planned:
            referred = self.now - timedelta(days=ago)
            story = _Story(self, plan, self.calendar(days, referred))
            story.build()
            self.created.append((story.case.pk, story.times[Stage.REFERRAL]))
        self.flush()
        self.renumber()

    # --- Time ---------------------------------------------------------------------------

    def working_hours(self, moment: datetime) -> datetime:
        """The same day and minute, moved to an hour between 8 and 16 in the program's zone."""
        local = moment.astimezone(self.tz)
        return local.replace(hour=8 + local.hour % 9).astimezone(UTC)

    def calendar(self, days: dict[str, float], referred: datetime) -> dict[str, datetime]:
        """Milestone times, in order, in working hours where that keeps the order."""
        times: dict[str, datetime] = {}
        previous: datetime | None = None
        for name in sorted(days, key=lambda key: days[key]):
            raw = referred + timedelta(days=days[name])
            candidates = [self.working_hours(raw), raw]
            if previous is not None:
                candidates.append(previous + timedelta(minutes=7))
            moment = next(
                (m for m in candidates if (previous is None or m > previous) and m <= self.cap),
                (previous or raw) + timedelta(seconds=1),
            )
            times[name] = previous = moment
        return times

    def stamp(self, obj: models.Model, **values: Any) -> None:
        self.stamps[type(obj)][obj.pk].update(values)

    def flush(self) -> None:
        """Write the planned timestamps, a few bulk updates per model."""
        for model, rows in self.stamps.items():
            groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
            for pk, values in rows.items():
                obj = model(pk=pk)
                for name, value in values.items():
                    setattr(obj, name, value)
                groups[tuple(sorted(values))].append(obj)
            for fields, objs in groups.items():
                model._default_manager.bulk_update(objs, list(fields), batch_size=100)

    def renumber(self) -> None:
        """Number the demo cases by referral date, in the year each was referred."""
        prefix = self.program.reference_prefix
        ours = sorted(self.created, key=lambda item: item[1])
        ids = [pk for pk, _ in ours]
        # Out of the way first, so that no number is ever held twice.
        Case.objects.bulk_update(
            [Case(pk=pk, number=1_000_000 + pk, reference=f"{prefix}-TMP-{pk}") for pk in ids],
            ["number", "reference"],
            batch_size=100,
        )
        others = Case.objects.filter(program=self.program).exclude(pk__in=ids)
        last: dict[int, int] = dict(
            others.values("year").annotate(n=Max("number")).values_list("year", "n")
        )
        final = []
        for pk, referred in ours:
            year = timezone.localtime(referred).year
            last[year] = number = last.get(year, 0) + 1
            final.append(
                Case(pk=pk, year=year, number=number, reference=f"{prefix}-{year}-{number:04d}")
            )
        Case.objects.bulk_update(final, ["year", "number", "reference"], batch_size=100)

    # --- People -------------------------------------------------------------------------

    def category(self) -> str:
        """The next category from a shuffled bag, so the mix follows the weights closely."""
        if not self.bag:
            self.bag = [
                code
                for code, weight in CATEGORY_WEIGHTS.items()
                if code in self.categories
                for _ in range(weight)
            ]
            self.rng.shuffle(self.bag)
        return self.bag.pop()

    def person(
        self,
        *,
        minor: bool = False,
        family: str | None = None,
        address: str | None = None,
        admits: bool | None = None,
        ages: tuple[int, int] = (19, 78),
    ) -> services.PartyDetails:
        rng = self.rng
        given, surname = rng.choice(GIVEN_NAMES), family or rng.choice(FAMILY_NAMES)
        for _ in range(40):
            if (given, surname) not in self.used_names:
                break
            given, surname = rng.choice(GIVEN_NAMES), family or rng.choice(FAMILY_NAMES)
        self.used_names.add((given, surname))
        self.serial += 1
        age = rng.randint(12, 17) if minor else rng.randint(*ages)
        born = self.today - timedelta(days=int(age * 365.25) + rng.randint(10, 340))
        domain = rng.choice(["example.org", "example.net"])
        email = f"{_ascii(given)}.{_ascii(surname)}{self.serial}@{domain}"
        if address is None:
            address = f"{rng.randint(2, 240)} {rng.choice(STREETS)}, Demo City"
            if rng.random() < 0.25:
                address = f"Apt {rng.randint(1, 9)}{rng.choice('ABCD')}, {address}"
        contact = rng.choices(
            [
                ContactMethod.PHONE,
                ContactMethod.TEXT,
                ContactMethod.EMAIL,
                ContactMethod.POST,
                ContactMethod.VIA_SUPPORT,
                "",
            ],
            weights=[40, 20, 15, 8, 5, 12],
        )[0]
        return services.PartyDetails(
            given_name=given,
            family_name=surname,
            date_of_birth=born if minor or rng.random() < 0.9 else None,
            preferred_language=rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0],
            accessibility_needs=rng.choice(ACCESSIBILITY) if rng.random() < 0.1 else "",
            preferred_contact=contact,
            phone=f"555-01{rng.randrange(100):02d}" if rng.random() < 0.88 else "",
            email=email if rng.random() < (0.2 if minor else 0.6) else "",
            address=address if rng.random() < 0.9 else "",
            admits_responsibility=admits,
        )


class _Story:
    """One demo case, built through the services along its planned calendar."""

    def __init__(self, loader: _Loader, plan: Plan, times: dict[str, datetime]) -> None:
        self.loader = loader
        self.plan = plan
        self.times = times
        self.rng = loader.rng
        self.clock = times[Stage.REFERRAL]
        self.horizon = self.clock
        self.moves: list[datetime] = []
        self.coordinator = loader.users["coordinator"]
        self.facilitator = loader.users["facilitator"]
        rng = self.rng
        code = plan.category or loader.category()
        self.category: OffenceCategory = loader.categories[code]
        self.by_police = code == "school_harm" or rng.random() < 0.65
        if plan.decline == Referral.DeclineReason.DUPLICATE:
            self.by_police = True
        single = plan.outcome in (
            Outcome.WITHDRAWN_BY_HARMED_PARTY,
            Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY,
        )
        self.harmed_count = 1 if single or rng.random() >= 0.13 else 2
        self.responsible_count = 1 if single or rng.random() >= 0.07 else 2
        self.minor_responsible = code == "school_harm" or (
            code in ("criminal_damage", "theft", "vehicle_crime", "public_order")
            and rng.random() < 0.15
        )
        self.minor_harmed = code == "school_harm" and rng.random() < 0.6
        self.process = self._pick_process(code)
        self.one_harmed_leaves = (
            self.harmed_count == 2
            and plan.reach in (Stage.PROCESS, Stage.AGREEMENT)
            and plan.stage != Stage.PAUSED
            and rng.random() < 0.5
        )
        self.pause_on_the_way = (
            plan.outcome == Outcome.COMPLETED_WITH_AGREEMENT and rng.random() < 0.2
        )
        self.harmed: list[Participant] = []
        self.responsible: list[Participant] = []
        self.guardians: dict[int, Participant] = {}
        self.others: list[Participant] = []  # guardians and support people
        self.offered: dict[int, str] = {}  # harmed participant -> latest response

    # --- The calendar ---------------------------------------------------------------------

    def at(self, milestone: str) -> None:
        """Jump to a milestone; what follows happens before the next one."""
        self.clock = self.times[milestone]
        later = [t for t in self.times.values() if t > self.clock]
        self.horizon = min(later) if later else self.loader.cap

    def tick(self) -> datetime:
        """A little later, still before the next milestone."""
        raw = self.clock + (self.horizon - self.clock) * self.rng.uniform(0.08, 0.3)
        snapped = self.loader.working_hours(raw)
        self.clock = snapped if self.clock < snapped < self.horizon else raw
        return self.clock

    def day(self) -> date:
        return self.clock.astimezone(self.loader.tz).date()

    def ago(self, days: int) -> date:
        return self.day() - timedelta(days=days)

    # --- Building -------------------------------------------------------------------------

    def build(self) -> None:
        plan = self.plan
        self.at(Stage.REFERRAL)
        self.submit()
        if Stage.SCREENING in self.times:
            self.screening()
        elif plan.decline:
            self.decline()
        elif plan.variant != "offer_due" and self.rng.random() < 0.5:
            self.note("Acknowledged the referral by e-mail; screening booked.", self.coordinator)
        for stage, step in (
            (Stage.CONTACT, self.contact),
            (Stage.PREPARATION, self.preparation),
            (Stage.PROCESS, self.restorative_process),
            (Stage.AGREEMENT, self.agreement),
        ):
            if stage in self.times and not plan.decline:
                self.at(stage)
                step(last=plan.reach == stage)
        self.finish()

    def submit(self) -> None:
        loader, rng, plan = self.loader, self.rng, self.plan
        referred = self.day()
        if self.by_police:
            incident = referred - timedelta(days=rng.randint(1, 40))
            if self.category.code == "school_harm":
                justice = JusticeStage.COMMUNITY
            else:
                justice = rng.choices(
                    [JusticeStage.PRE_CHARGE, JusticeStage.COMMUNITY, JusticeStage.POST_CHARGE],
                    weights=[55, 30, 15],
                )[0]
            reference = f"DCPD-{incident:%y}-{rng.randint(10000, 99999)}"
            user = loader.users["referrer"]
            email, phone, staff = POLICE_REFERRER
            referrer = services.ReferrerDetails(
                name=user.display_name, email=email, phone=phone, staff_id=staff
            )
            agency = loader.police
        else:
            incident = referred - timedelta(days=rng.randint(40, 300))
            justice = rng.choices(
                [JusticeStage.POST_CHARGE, JusticeStage.PRE_SENTENCE, JusticeStage.POST_SENTENCE],
                weights=[45, 35, 20],
            )[0]
            reference = f"DA-{incident:%Y}-CR-{rng.randint(1000, 9999)}"
            user = self.coordinator
            name, email, phone, staff = rng.choice(PROSECUTORS)
            referrer = services.ReferrerDetails(name=name, email=email, phone=phone, staff_id=staff)
            agency = loader.prosecutor
        # Former partners are of an age; anyone else may be any adult age.
        ages = (24, 46) if self.category.code == "domestic_abuse" else (19, 78)
        harmed = []
        for i in range(self.harmed_count):
            party = loader.person(minor=self.minor_harmed and i == 0, ages=ages)
            early_offer = (
                self.by_police
                and plan.variant not in ("offer_due", "waiting")
                and rng.random() < 0.55
            )
            if early_offer:
                party.rj_offered_on = max(incident, referred - timedelta(days=rng.randint(0, 3)))
                party.consents_to_contact = rng.random() < 0.7
            harmed.append(party)
        admits: bool | None = True if rng.random() < 0.85 else None
        if plan.decline == Referral.DeclineReason.NO_ADMISSION:
            admits = False
        if not self.by_police:
            admits = True  # charged, and pleaded guilty or accepted the facts
        responsible = [
            loader.person(minor=self.minor_responsible, admits=admits, ages=ages)
            for _ in range(self.responsible_count)
        ]
        summary = rng.choice(SUMMARIES.get(self.category.code, SUMMARIES["other"]))
        # Its own random numbers, so the rest of the story is drawn as before.
        place = random.Random(reference)  # noqa: S311 - demo data, not secrets
        referral = services.submit_referral(
            program=loader.program,
            details=services.ReferralDetails(
                incident_reference=reference,
                incident_date=incident,
                offence_category=self.category,
                justice_stage=justice,
                summary=summary.format(place=rng.choice(PLACES)),
                area=place.choice(AREAS),
                precinct=place.choice(PRECINCTS) if self.by_police else "",
                harmed=harmed,
                responsible=responsible,
            ),
            referrer=referrer,
            agency=agency,
            by=user,
        )
        self.referral = referral
        self.case = referral.case
        self.moves.append(self.clock)
        for participant in self.case.participants.select_related("person").order_by("id"):
            participant.case = self.case
            loader.stamp(participant, created_at=self.clock)
            loader.stamp(participant.person, created_at=self.clock)
            if participant.role == Participant.Role.HARMED:
                self.harmed.append(participant)
            else:
                self.responsible.append(participant)
        if any(party.rj_offered_on for party in harmed):
            for offer in RJOffer.objects.filter(participant__case=self.case):
                loader.stamp(offer, created_at=self.clock)
                self.offered[offer.participant_id] = offer.response

    def finish(self) -> None:
        loader, case = self.loader, self.case
        changes = list(
            StageChange.objects.filter(case=case).order_by("id").values_list("pk", flat=True)
        )
        if len(changes) != len(self.moves):
            raise RuntimeError(f"Demo case {case.pk}: the stage changes are out of step.")
        for pk, moment in zip(changes, self.moves, strict=True):
            loader.stamp(StageChange(pk=pk), created_at=moment)
        case.refresh_from_db()
        ended = self.moves[-1] if case.stage in ENDED else None
        loader.stamp(case, created_at=self.times[Stage.REFERRAL], updated_at=self.clock)
        loader.stamp(self.referral, created_at=self.times[Stage.REFERRAL], updated_at=self.clock)
        if ended is not None:
            loader.stamp(case, closed_at=ended)
        if self.plan.decline:
            loader.stamp(self.referral, decided_at=ended)
        elif Stage.CONTACT in self.times:
            loader.stamp(self.referral, decided_at=self.times[Stage.CONTACT])

    # --- Small steps ------------------------------------------------------------------------

    def move(self, to: str, by: User, reason: str = "") -> None:
        services.move_case(case=self.case, to=to, by=by, reason=reason, expected_version=None)
        self.moves.append(self.clock)

    def note(self, body: str, by: User | None = None, *, restricted: bool = False) -> None:
        self.tick()
        note = services.add_note(
            case=self.case,
            body=body,
            by=by or self.facilitator,
            restricted=restricted,
            expected_version=None,
        )
        self.loader.stamp(note, created_at=self.clock)

    def attempt(self, participant: Participant, outcome: str, body: str = "") -> None:
        channels: dict[str, str] = {
            Note.ContactOutcome.SENT: self.rng.choice([Note.Channel.LETTER, Note.Channel.EMAIL]),
            Note.ContactOutcome.WRONG_DETAILS: Note.Channel.CALL,
        }
        channel = channels.get(outcome, Note.Channel.CALL)
        if outcome == Note.ContactOutcome.REACHED and self.rng.random() < 0.25:
            channel = Note.Channel.VISIT
        self.tick()
        note = services.record_contact(
            case=self.case,
            participant=participant,
            channel=channel,
            outcome=outcome,
            body=body,
            by=self.facilitator,
            expected_version=None,
        )
        self.loader.stamp(note, created_at=self.clock)

    def reach(self, participant: Participant, body: str = "") -> None:
        """A few tries, then a conversation (through the guardian for a minor)."""
        who = self.guardians.get(participant.pk, participant)
        for _ in range(self.rng.choice([0, 0, 1, 1, 2])):
            self.attempt(
                who,
                self.rng.choice([Note.ContactOutcome.NO_ANSWER, Note.ContactOutcome.LEFT_MESSAGE]),
            )
        self.attempt(who, Note.ContactOutcome.REACHED, body)

    def offer(self, participant: Participant, response: str, by: User | None = None) -> None:
        self.tick()
        channel = self.rng.choices(
            [
                RJOffer.Channel.PHONE,
                RJOffer.Channel.LETTER,
                RJOffer.Channel.EMAIL,
                RJOffer.Channel.IN_PERSON,
            ],
            weights=[55, 20, 10, 15],
        )[0]
        offer = services.record_rj_offer(
            participant=participant,
            offered_on=self.day(),
            channel=channel,
            response=response,
            by=by or self.facilitator,
            expected_version=None,
        )
        self.loader.stamp(offer, created_at=self.clock)
        self.offered[participant.pk] = response

    def consent(self, participant: Participant, purpose: str, note: str = "") -> None:
        """Consent given; for a minor, their own and their guardian's (who, taking part
        too, gives their own as well)."""
        if self.given(participant, purpose):
            return
        self.tick()
        entry = services.record_consent(
            participant=participant,
            purpose=purpose,
            decision=ConsentEntry.Decision.GIVEN,
            method=self.rng.choices(
                [
                    ConsentEntry.Method.WRITTEN,
                    ConsentEntry.Method.VERBAL,
                    ConsentEntry.Method.PORTAL,
                ],
                weights=[55, 35, 10],
            )[0],
            decided_on=self.day(),
            by=self.facilitator,
            note=note,
            expected_version=None,
        )
        self.loader.stamp(entry, recorded_at=self.clock)
        guardian = self.guardians.get(participant.pk)
        if guardian is not None:
            self.tick()
            entry = services.record_consent(
                participant=participant,
                purpose=purpose,
                decision=ConsentEntry.Decision.GIVEN,
                method=ConsentEntry.Method.WRITTEN,
                decided_on=self.day(),
                by=self.facilitator,
                guardian=guardian,
                note="Consent form signed by the parent.",
                expected_version=None,
            )
            self.loader.stamp(entry, recorded_at=self.clock)
            if guardian.takes_part:
                self.consent(guardian, purpose)

    def given(self, participant: Participant, purpose: str) -> bool:
        return (
            participant.consent_entries.filter(purpose=purpose, guardian=None)
            .order_by("-recorded_at", "-id")
            .values_list("decision", flat=True)
            .first()
            == ConsentEntry.Decision.GIVEN
        )

    def consent_all(self, purpose: str) -> None:
        """Everyone taking part consents (guardians through their minors)."""
        for participant in self.taking_part():
            if participant.role != Participant.Role.GUARDIAN:
                self.consent(participant, purpose)
        for participant in self.taking_part():
            self.consent(participant, purpose)

    def add_person(
        self, party: services.PartyDetails, role: str, supports: Participant, takes_part: bool
    ) -> Participant:
        self.tick()
        participant = services.add_participant(
            case=self.case,
            party=party,
            role=role,
            by=self.facilitator,
            supports=supports,
            takes_part=takes_part,
            expected_version=None,
        )
        self.loader.stamp(participant, created_at=self.clock)
        self.loader.stamp(participant.person, created_at=self.clock)
        self.others.append(participant)
        return participant

    def add_guardians(self) -> None:
        for participant in self.harmed + self.responsible:
            if participant.person.is_minor and participant.pk not in self.guardians:
                minor = participant.person
                party = self.loader.person(
                    family=minor.family_name if self.rng.random() < 0.8 else None,
                    address=minor.address,
                    ages=(34, 58),
                )
                self.guardians[participant.pk] = self.add_person(
                    party, Participant.Role.GUARDIAN, participant, takes_part=True
                )

    def assess(self, participant: Participant, result: str = "") -> None:
        rng = self.rng
        if not result:
            result = rng.choices(
                [SafetyAssessment.Result.SUITABLE, SafetyAssessment.Result.WITH_CONDITIONS],
                weights=[78, 22],
            )[0]
        if self.category.handling != OffenceCategory.Handling.ELIGIBLE and result == (
            SafetyAssessment.Result.SUITABLE
        ):
            result = SafetyAssessment.Result.WITH_CONDITIONS
        conditions = ""
        if result == SafetyAssessment.Result.WITH_CONDITIONS:
            conditions = rng.choice(CONDITIONS)
            if participant.role == Participant.Role.GUARDIAN:
                conditions = CONDITIONS[4]
        if result == SafetyAssessment.Result.NOT_SUITABLE:
            answers = {
                "risk_of_harm": "Risk of further intimidation judged high.",
                "power_imbalance": "Marked imbalance that the process could not correct.",
                "capacity_and_readiness": "Not ready to take part safely at present.",
            }
        else:
            answers = {
                "risk_of_harm": rng.choice(["Low.", "Low; no contact since the incident."]),
                "power_imbalance": rng.choice(["None noted.", "Some; managed by preparation."]),
                "capacity_and_readiness": rng.choice(
                    ["Ready and clear about what to expect.", "Ready after two meetings."]
                ),
                "support_in_place": rng.choice(
                    ["Family support.", "Victim services advocate.", "A friend will attend."]
                ),
            }
            if participant.person.preferred_language not in ("", "en"):
                answers["language_and_access"] = (
                    f"Interpreter booked ({language_name(participant.person.preferred_language)})."
                )
        self.tick()
        # The rules judge "current" against today, so it is recorded as of today and moved
        # to its planned date with the other timestamps once the case is built.
        assessment = services.record_assessment(
            participant=participant,
            assessed_on=self.loader.today,
            result=result,
            answers=answers,
            by=self.facilitator,
            conditions=conditions,
            expected_version=None,
        )
        self.loader.stamp(assessment, created_at=self.clock, assessed_on=self.day())

    def withdraw(self, participant: Participant, reason: str, code: str) -> None:
        before = set(participant.consent_entries.values_list("pk", flat=True))
        self.tick()
        services.withdraw_participant(
            participant=participant,
            method=self.rng.choice([ConsentEntry.Method.VERBAL, ConsentEntry.Method.WRITTEN]),
            reason=reason,
            reason_code=code,
            by=self.facilitator,
            expected_version=None,
        )
        self.loader.stamp(participant, withdrawn_at=self.clock)
        for entry in ConsentEntry.objects.filter(participant=participant).exclude(pk__in=before):
            self.loader.stamp(entry, recorded_at=self.clock, decided_on=self.day())
        self.case.refresh_from_db()
        if self.case.stage == Stage.WITHDRAWN:
            self.moves.append(self.clock)

    def pause(self, reason: str) -> None:
        self.tick()
        services.pause_case(
            case=self.case,
            requested_by=self.harmed[0],
            reason=reason,
            by=self.facilitator,
            expected_version=None,
        )
        self.moves.append(self.clock)

    def close(self, outcome: str, reason: str) -> None:
        self.at(END)
        services.close_case(
            case=self.case,
            outcome=outcome,
            by=self.facilitator,
            reason=reason,
            expected_version=None,
        )
        self.moves.append(self.clock)

    def active(self) -> list[Participant]:
        return [p for p in self.harmed + self.responsible if p.is_active]

    def taking_part(self) -> list[Participant]:
        people = self.harmed + self.responsible + self.others
        return [p for p in people if p.is_active and p.takes_part]

    def first(self, participant: Participant) -> str:
        return participant.person.given_name

    def _pick_process(self, code: str) -> str:
        if self.plan.expiring and self.plan.reach != Stage.PREPARATION:
            return ProcessType.SHUTTLE  # a long, indirect process
        return self.rng.choice(PROCESSES_BY_CATEGORY.get(code, DEFAULT_PROCESSES))

    # --- Stages -----------------------------------------------------------------------------

    def screening(self) -> None:
        plan, rng = self.plan, self.rng
        self.at(Stage.SCREENING)
        self.move(Stage.SCREENING, self.coordinator)
        if plan.variant == "fresh":
            return
        if plan.decline:
            self.decline()
            return
        if plan.variant != "waiting":
            for participant in self.harmed:
                if participant.pk not in self.offered:
                    response = rng.choice(
                        [RJOffer.Response.INTERESTED, RJOffer.Response.CONSIDERING]
                    )
                    self.offer(participant, response, by=self.coordinator)
        if plan.variant == "waiting":
            self.note(
                "Asked the referrer to confirm that the responsible party accepts the basic "
                "facts before screening goes further.",
                self.coordinator,
            )
            return
        self.add_guardians()
        self.tick()
        specialist = self.category.handling != OffenceCategory.Handling.ELIGIBLE
        decision = services.decide_eligibility(
            case=self.case,
            answers=dict.fromkeys(self.loader.criteria, True),
            reason=rng.choice(
                [
                    "Checked with the referrer; all criteria met.",
                    "Criteria met. The responsible party accepts the basic facts.",
                    "Eligible. Both parties were told about restorative justice by the officer.",
                ]
            ),
            override_justification=SPECIALIST_JUSTIFICATION if specialist else "",
            by=self.coordinator,
            expected_version=None,
        )
        self.loader.stamp(decision, decided_at=self.clock)
        self.tick()
        # Specialist-only categories are led by the demo facilitator, the specialist.
        led_by_coordinator = rng.random() < 0.1 and not specialist
        volunteers = [self.loader.users["volunteer"]] if rng.random() < 0.3 else []
        services.assign_team(
            case=self.case,
            lead=self.coordinator if led_by_coordinator else self.facilitator,
            co_facilitators=[self.facilitator] if led_by_coordinator else [],
            volunteers=volunteers,
            by=self.coordinator,
            expected_version=None,
        )
        if volunteers or led_by_coordinator:
            for assignment in CaseAssignment.objects.filter(case=self.case):
                self.loader.stamp(assignment, created_at=self.clock)

    def decline(self) -> None:
        reason, rng = self.plan.decline, self.rng
        why = Referral.DeclineReason
        answers = dict.fromkeys(self.loader.criteria, True)
        failures: dict[str, str] = {
            why.NOT_ELIGIBLE: rng.choice(["reported", "identifiable_parties"]),
            why.NO_ADMISSION: "admits_responsibility",
            why.NOT_WILLING: "both_willing",
        }
        failing = failures.get(reason)
        if reason == why.NOT_WILLING:
            self.offer(self.harmed[0], RJOffer.Response.DECLINED, by=self.coordinator)
        if failing is not None and self.loader.criteria:
            answers[failing if failing in answers else self.loader.criteria[0]] = False
            self.tick()
            decision = services.decide_eligibility(
                case=self.case,
                answers=answers,
                reason="Not all criteria are met.",
                by=self.coordinator,
                expected_version=None,
            )
            self.loader.stamp(decision, decided_at=self.clock)
        self.at(END)
        services.decline_referral(
            case=self.case,
            reason=reason,
            note=rng.choice(DECLINE_NOTES[reason]),
            by=self.coordinator,
            expected_version=None,
        )
        self.moves.append(self.clock)

    def contact(self, *, last: bool) -> None:
        plan, rng = self.plan, self.rng
        self.move(Stage.CONTACT, self.coordinator, "Accepted at screening.")
        harmed, responsible = self.harmed, self.responsible
        lines = [
            "Explained how restorative justice works and what happens next.",
            "Talked through the process; happy to go ahead with preparation.",
            "",
        ]
        if not last or plan.variant == "ready" or plan.stage == Stage.PAUSED:
            # Everyone reached and consenting to be contacted.
            for participant in harmed + responsible:
                self.reach(participant, rng.choice(lines))
                if participant in harmed and self.offered.get(participant.pk) != "interested":
                    self.offer(participant, RJOffer.Response.INTERESTED)
                self.consent(participant, ConsentPurpose.CONTACT)
            if plan.variant == "ready":
                self.note("Both sides agree to preparation meetings; booking the first visits.")
            if last and plan.stage == Stage.PAUSED:
                self.at(PAUSE)
                self.pause(
                    rng.choice(
                        [
                            "Wants to wait until after the court hearing next month.",
                            "Asked for time after a bereavement in the family.",
                        ]
                    )
                )
                self.note("Agreed to check in with the harmed party in four weeks.")
            return
        if plan.variant == "none":
            for participant in harmed + responsible:
                missed = rng.choice(
                    [Note.ContactOutcome.NO_ANSWER, Note.ContactOutcome.LEFT_MESSAGE]
                )
                self.attempt(self.guardians.get(participant.pk, participant), missed)
            if rng.random() < 0.5:
                self.attempt(harmed[0], Note.ContactOutcome.REACHED, "Wants a few days to think.")
                self.offer(harmed[0], RJOffer.Response.CONSIDERING)
            return
        if plan.variant in ("harmed_only", "hard_to_reach"):
            for participant in harmed:
                self.reach(participant, rng.choice(lines))
                if self.offered.get(participant.pk) != "interested":
                    self.offer(participant, RJOffer.Response.INTERESTED)
                self.consent(participant, ConsentPurpose.CONTACT)
            for participant in responsible:
                who = self.guardians.get(participant.pk, participant)
                if plan.variant == "hard_to_reach":
                    self.attempt(who, Note.ContactOutcome.WRONG_DETAILS, "Number not in service.")
                    self.attempt(who, Note.ContactOutcome.SENT, "Letter sent to the last address.")
                else:
                    self.attempt(who, Note.ContactOutcome.LEFT_MESSAGE)
            return
        outcome = plan.outcome
        if outcome == Outcome.UNABLE_TO_CONTACT:
            unreachable = responsible[0] if rng.random() < 0.7 else harmed[0]
            for participant in harmed + responsible:
                if participant is not unreachable:
                    self.reach(participant)
                    self.consent(participant, ConsentPurpose.CONTACT)
            who = self.guardians.get(unreachable.pk, unreachable)
            for result in (
                Note.ContactOutcome.NO_ANSWER,
                Note.ContactOutcome.LEFT_MESSAGE,
                Note.ContactOutcome.SENT,
                Note.ContactOutcome.NO_ANSWER,
                Note.ContactOutcome.SENT,
            ):
                self.attempt(who, result)
            self.close(
                Outcome.UNABLE_TO_CONTACT,
                f"No reply from {self.first(unreachable)} after three calls and two letters.",
            )
        elif outcome == Outcome.REFERRED_ELSEWHERE:
            for participant in harmed + responsible:
                self.reach(participant)
            self.note(
                rng.choice(
                    [
                        "The responsible party already works with the county youth diversion "
                        "panel, which can include the harmed party.",
                        "The parties need help with an ongoing housing dispute; the Demo City "
                        "community mediation service is better placed.",
                    ]
                )
            )
            self.close(Outcome.REFERRED_ELSEWHERE, "Referred to another service.")
        elif outcome == Outcome.WITHDRAWN_BY_HARMED_PARTY:
            self.reach(harmed[0], "Does not want to revisit what happened.")
            self.offer(harmed[0], RJOffer.Response.DECLINED)
            self.at(END)
            self.withdraw(harmed[0], "Would rather put it behind them.", "moved_on")
        elif outcome == Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY:
            self.reach(harmed[0])
            self.consent(harmed[0], ConsentPurpose.CONTACT)
            self.reach(responsible[0], "Now says they were not involved.")
            self.at(END)
            self.withdraw(responsible[0], "Wants the matter to go to court instead.", "court")

    def preparation(self, *, last: bool) -> None:
        plan, rng = self.plan, self.rng
        self.move(Stage.PREPARATION, self.facilitator)
        harmed, responsible = self.harmed, self.responsible
        self.add_guardians()
        for guardian in self.guardians.values():
            if guardian.takes_part:
                self.consent(guardian, ConsentPurpose.CONTACT)
        if rng.random() < 0.2:
            supported = harmed[0]
            party = self.loader.person()
            supporter = self.add_person(
                party, Participant.Role.SUPPORTER, supported, rng.random() < 0.8
            )
            if supporter.takes_part:
                self.consent(supporter, ConsentPurpose.CONTACT)
        for participant in harmed + responsible:
            who = self.guardians.get(participant.pk, participant)
            self.attempt(
                who,
                Note.ContactOutcome.REACHED,
                rng.choice(
                    [
                        "First preparation meeting at home.",
                        "Preparation meeting at the program office.",
                        "Went through questions they would like answered.",
                    ]
                ),
            )
        if self.one_harmed_leaves:
            self.withdraw(
                harmed[1], "Prefers not to take part; happy for the case to go on.", "not_ready"
            )
        if self.pause_on_the_way:
            self.pause("Asked to pause while recovering from an operation.")
            self.tick()
            services.resume_case(
                case=self.case,
                requested_by=harmed[0],
                by=self.facilitator,
                expected_version=None,
            )
            self.moves.append(self.clock)
        if last and plan.stage == Stage.PAUSED:
            self.at(PAUSE)
            self.pause(
                rng.choice(
                    [
                        "Needs time after a family illness.",
                        "Exams coming up; asked to carry on afterwards.",
                        "Wants to talk it over with family first.",
                    ]
                )
            )
            return
        if last and plan.stage == Stage.WITHDRAWN:
            if plan.variant == "paused_first":
                self.at(PAUSE)
                self.pause("Asked for a few weeks to think.")
            self.at(END)
            if plan.outcome == Outcome.WITHDRAWN_BY_HARMED_PARTY:
                self.withdraw(
                    harmed[0], "Decided not to go ahead; feels able to move on.", "moved_on"
                )
            else:
                self.withdraw(
                    responsible[0], "Stopped replying after the first meeting.", "stopped_replying"
                )
            return
        if last and plan.variant == "early":
            if rng.random() < 0.5:
                self.consent(harmed[0], ConsentPurpose.SHARE_INFORMATION)
            return
        services.choose_process(
            case=self.case, process=self.process, by=self.facilitator, expected_version=None
        )
        purpose = purpose_for_process(self.process)
        if self.process in INDIRECT_PROCESSES or rng.random() < 0.5:
            # Indirect processes pass on what each side says: they need this consent.
            self.consent_all(ConsentPurpose.SHARE_INFORMATION)
        if last and plan.variant == "assessing":
            for participant in harmed:
                self.consent(participant, purpose)
            self.at(ASSESSMENT)
            for participant in harmed:
                self.assess(participant)
            self.note("Safety assessment with the responsible party booked for next week.")
            return
        if last and plan.outcome == Outcome.NOT_SUITABLE:
            self.at(ASSESSMENT)
            self.assess(harmed[0], SafetyAssessment.Result.SUITABLE)
            self.assess(responsible[0], SafetyAssessment.Result.NOT_SUITABLE)
            self.note(
                "Assessment found a real risk of further intimidation. Discussed with the "
                "coordinator; the harmed party was told and offered other support.",
                restricted=True,
            )
            self.close(Outcome.NOT_SUITABLE, "Not safe to go ahead, after assessment.")
            return
        self.consent_all(purpose)
        if ASSESSMENT in self.times:
            self.at(ASSESSMENT)
        for participant in self.taking_part():
            self.assess(participant)
        if last:
            self.note(
                rng.choice(
                    [
                        "Everyone is ready; looking for a date that suits both sides.",
                        "Ready to go ahead; waiting for the venue to confirm.",
                    ]
                )
            )

    def happened(self, *, agreed: bool) -> None:
        """The process took place: the apps built on cases record it their own way."""
        self.tick()
        people = [p for p in self.case.participants.select_related("person") if p.is_active]
        for hook in _happened:
            hook(
                Happened(
                    self.case,
                    self.process,
                    self.clock,
                    self.facilitator,
                    self.rng,
                    people,
                    agreed,
                    self.loader.stamp,
                )
            )

    def restorative_process(self, *, last: bool) -> None:
        plan, rng = self.plan, self.rng
        self.move(Stage.PROCESS, self.facilitator)
        label = ProcessType(self.process).label
        if self.process in (ProcessType.SHUTTLE, ProcessType.LETTER_EXCHANGE):
            self.note(f"{label}: first message passed on; a reply is expected.")
        else:
            self.note(f"{label} booked at the Lantern Street community centre.")
        if not last:
            self.happened(agreed=True)
            self.note(f"{label} held. Both sides spoke and listened; an agreement was drafted.")
            return
        if plan.stage == Stage.PROCESS and plan.expiring:
            self.note("Second round of messages under way; the harmed party wants more time.")
        elif plan.stage == Stage.PAUSED:
            self.at(PAUSE)
            self.pause("Asked to stop for now; finding it harder than expected.")
        elif plan.outcome == Outcome.COMPLETED_WITHOUT_AGREEMENT:
            self.happened(agreed=False)
            self.note(
                rng.choice(
                    [
                        f"{label} held. The harmed party got answers; no agreement was wanted.",
                        f"{label} held. The parties could not agree on repair.",
                    ]
                )
            )
            self.close(Outcome.COMPLETED_WITHOUT_AGREEMENT, "The process took place.")
        elif plan.outcome == Outcome.WITHDRAWN_BY_HARMED_PARTY:
            self.at(END)
            self.withdraw(self.harmed[0], "Felt unable to go through with the meeting.", "safety")
        elif plan.outcome == Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY:
            self.at(END)
            self.withdraw(
                self.responsible[0], "Did not come to the meeting; then withdrew.", "not_said"
            )

    def agreement(self, *, last: bool) -> None:
        plan, rng = self.plan, self.rng
        self.move(Stage.AGREEMENT, self.facilitator)
        items = rng.sample(
            [
                "a written apology",
                f"repaying ${rng.randint(4, 40) * 10} in instalments",
                f"{rng.randint(2, 6) * 5} hours at the Kestrel Close community garden",
                "repairing the damage with a volunteer",
                "a letter about what has changed since",
                "joining a youth mentoring scheme",
            ],
            2,
        )
        self.note(f"Agreement signed: {items[0]} and {items[1]}. Follow-up in four weeks.")
        people = [p for p in self.case.participants.select_related("person") if p.is_active]
        kept = plan.outcome == Outcome.COMPLETED_WITH_AGREEMENT
        for hook in _agreed:
            hook(
                Agreed(
                    self.case, self.tick(), self.facilitator, rng, people, kept, self.loader.stamp
                )
            )
        if rng.random() < 0.6:
            for participant in self.active():
                self.consent(participant, ConsentPurpose.EVALUATION)
        if last and plan.stage == Stage.AGREEMENT:
            self.note("Follow-up call: the first agreement item is done.")
        elif plan.stage == Stage.PAUSED:
            self.at(PAUSE)
            self.pause("Asked to pause the follow-up while moving house.")
        elif plan.outcome == Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY:
            self.note("Two instalments missed; reminder sent.")
            self.at(END)
            self.withdraw(
                self.responsible[0], "No longer willing to keep to the agreement.", "process"
            )
        elif plan.outcome == Outcome.COMPLETED_WITH_AGREEMENT:
            self.note("Follow-up call: everything agreed has been done.")
            self.close(Outcome.COMPLETED_WITH_AGREEMENT, "Every agreement item was completed.")
        elif plan.outcome == Outcome.AGREEMENT_NOT_COMPLETED:
            self.note(
                "Follow-up call: the repair work was never started; the parties did not meet again."
            )
            self.close(Outcome.AGREEMENT_NOT_COMPLETED, "Part of the agreement was not done.")


def load(context: DemoContext) -> None:
    """Add the demo cases, unless the demo program already has them."""
    if Case.objects.filter(program=context.program).count() >= (context.case_stories or ENOUGH):
        return
    _Loader(context).run()

"""Reporting periods: quarters, the US federal fiscal year, and the program's own today.

A period runs from `start` to `end`, `end` excluded, so periods that follow each other
never count a day twice. Dates that put a record in a period are read in the program's
time zone (see `local_date`).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from mend.programs.models import Program

QUARTER_CODE = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the first day after the period

    @property
    def code(self) -> str:
        """ "2026-Q4" for a calendar quarter, else "2026-10-01..2027-01-01"."""
        quarter = (self.start.month - 1) // 3 + 1
        if self == calendar_quarter(self.start.year, quarter):
            return f"{self.start.year}-Q{quarter}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        quarter = (self.start.month - 1) // 3 + 1
        if self == calendar_quarter(self.start.year, quarter):
            return _("Quarter %(quarter)s of %(year)s") % {
                "quarter": quarter,
                "year": self.start.year,
            }
        last = date.fromordinal(self.end.toordinal() - 1)
        return _("%(start)s to %(last)s") % {"start": self.start, "last": last}

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def previous(self, count: int = 1) -> Period:
        """The quarter `count` quarters before this one (for a calendar quarter)."""
        year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
        index = year * 4 + quarter - 1 - count
        return calendar_quarter(index // 4, index % 4 + 1)


def calendar_quarter(year: int, quarter: int) -> Period:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, end)


def quarter_containing(day: date) -> Period:
    return calendar_quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(code: str) -> Period | None:
    found = QUARTER_CODE.match(code.strip())
    if found is None:
        return None
    year = int(found["year"])
    if not 2000 <= year <= 2100:
        return None
    return calendar_quarter(year, int(found["quarter"]))


def federal_fiscal_year(day: date) -> int:
    """The US federal fiscal year a day falls in: FY 2027 runs 1 October 2026 to
    30 September 2027."""
    return day.year + 1 if day.month >= 10 else day.year


def federal_fiscal_year_period(fiscal_year: int) -> Period:
    return Period(date(fiscal_year - 1, 10, 1), date(fiscal_year, 10, 1))


def program_today(program: Program) -> date:
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(program.time_zone)).date()


def local_date(moment: datetime, program: Program) -> date:
    return timezone.localtime(moment, timezone=zoneinfo.ZoneInfo(program.time_zone)).date()


def recent_quarters(program: Program, count: int) -> list[Period]:
    """The last `count` quarters, oldest first, ending with the current one."""
    current = quarter_containing(program_today(program))
    return [current.previous(back) for back in range(count - 1, -1, -1)]


def bounds(period: Period, program: Program) -> tuple[datetime, datetime]:
    """The period as two aware moments, midnight to midnight in the program's time zone,
    for records dated by a timestamp."""
    zone = zoneinfo.ZoneInfo(program.time_zone)
    start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=zone)
    end = datetime(period.end.year, period.end.month, period.end.day, tzinfo=zone)
    return start, end

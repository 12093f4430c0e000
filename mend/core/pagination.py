"""Pages of long lists that never count the whole table.

A program's case list, referrals and audit trail grow without end; counting every row for
"Page 3 of 40,000" costs more than showing the page. CappedPaginator counts at most `cap`
rows (one bounded query), says "more than" past it, and stops its pages there: the
filters (dates, stage, a name) are how a coordinator reaches further back.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        # settings.MEND_LIST_COUNT_CAP: 10,000 is 400 pages of 25, more than anyone reads.
        self.cap: int = cap if cap is not None else settings.MEND_LIST_COUNT_CAP
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]
        if counted > self.cap:
            self.capped = True
            return self.cap
        return int(counted)

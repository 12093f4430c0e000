"""Move cases out of the restorative process when its conditions no longer hold.

Consent and assessments recorded in Mend are checked at once; what only time changes (a
safety assessment passing its validity period) is caught here. Run it daily (cron or a
systemd timer): `python manage.py check_case_safety`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.cases.models import Case
from mend.cases.services import step_back_if_unsafe
from mend.cases.stages import Stage


class Command(BaseCommand):
    help = "Move cases whose restorative process is no longer safe back to preparation."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = 0
        for case in Case.objects.filter(stage=Stage.PROCESS).select_related("program"):
            if step_back_if_unsafe(case=case):
                moved += 1
                self.stdout.write(f"{case.reference}: moved back to preparation")
        self.stdout.write(self.style.SUCCESS(f"Checked; {moved} case(s) moved back."))

"""Move cases out of the restorative process when its conditions no longer hold.

Consent and assessments recorded in Mend are checked at once; what only time changes (a
safety assessment passing its validity period, an order that starts today) is caught here,
and the apps built on cases act on it too (processes cancels the future meetings it
forbids). Run it daily (cron or a systemd timer): `python manage.py check_case_safety`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mend.cases.models import Case
from mend.cases.services import recheck_for_apps, step_back_if_unsafe
from mend.cases.stages import ENDED, Stage


class Command(BaseCommand):
    help = "Move cases whose restorative process is no longer safe back to preparation."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = 0
        for case in Case.objects.filter(stage=Stage.PROCESS).select_related("program"):
            if step_back_if_unsafe(case=case):
                moved += 1
                self.stdout.write(f"{case.reference}: moved back to preparation")
        open_cases = Case.objects.exclude(stage__in=ENDED).select_related("program")
        for case in open_cases.iterator():
            recheck_for_apps(case=case)
        self.stdout.write(self.style.SUCCESS(f"Checked; {moved} case(s) moved back."))

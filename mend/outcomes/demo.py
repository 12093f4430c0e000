"""The demo program publishes its trends, so the public page can be tried."""

from __future__ import annotations

from mend.outcomes.models import OutcomeSettings
from mend.programs.demo import DemoContext


def load(context: DemoContext) -> None:
    OutcomeSettings.objects.get_or_create(
        program=context.program, defaults={"publish_trends": True}
    )

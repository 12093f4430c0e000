from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.outcomes.models import OutcomeSettings
from mend.processes.venue_forms import OnceForm


class ReportingSettingsForm(OnceForm):
    suppression_threshold = forms.IntegerField(
        label=_("Hide counts smaller than"),
        min_value=2,
        max_value=50,
        help_text=_(
            'Analysts and the public see a smaller count as "fewer than" this number, and '
            "other figures are hidden where they would give it away. 5 is usual."
        ),
    )
    publish_trends = forms.BooleanField(
        label=_("Publish a public trends page"),
        required=False,
        help_text=_(
            "Anyone with the address can read the program's referral and outcome trends, "
            "without signing in, with small counts hidden as above."
        ),
    )

    def __init__(self, *args: Any, current: OutcomeSettings, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(
            suppression_threshold=current.suppression_threshold,
            publish_trends=current.publish_trends,
        )
        super().__init__(*args, version=current.version, **kwargs)

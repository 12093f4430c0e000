"""The monitoring page's filters: whose terms, and how they are going."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mend.agreements.monitoring import monitors_in
from mend.agreements.progress import Health
from mend.core.forms import Form
from mend.programs.models import Membership

MINE = "mine"
ANYONE = "anyone"
HEALTH_CHOICES = [
    ("", _("Any")),
    (Health.OVERDUE, _("Overdue")),
    (Health.DUE_SOON, _("Due soon")),
    (Health.ON_TRACK, _("On track")),
]


def default_monitor(membership: Membership) -> str:
    """Facilitators and volunteers start from their own terms; coordinators from all."""
    return ANYONE if membership.can("cases.view_all") else MINE


class MonitoringFilterForm(Form):
    is_filter = True  # every field is optional; the label needn't say so
    monitor = forms.ChoiceField(label=_("Monitored by"), required=False)
    health = forms.ChoiceField(label=_("How it is going"), choices=HEALTH_CHOICES, required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        others = monitors_in(membership.program_id).exclude(pk=membership.user_id)
        self.fields["monitor"].choices = [  # type: ignore[attr-defined]
            (MINE, _("Me")),
            (ANYONE, _("Anyone")),
            *((str(user.pk), user.display_name) for user in others),
        ]

    def monitor_id(self) -> int | None:
        """The chosen monitor's id, or None for anyone."""
        chosen = self.cleaned_data.get("monitor") or default_monitor(self.membership)
        if chosen == ANYONE:
            return None
        return self.membership.user_id if chosen == MINE else int(chosen)

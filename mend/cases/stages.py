"""Case stages and the one table of allowed moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    SCREENING = "screening", _("Screening")
    CONTACT = "contact", _("Contact and consent")
    PREPARATION = "preparation", _("Assessment and preparation")
    PROCESS = "process", _("Restorative process")
    AGREEMENT = "agreement", _("Agreement and follow-up")
    CLOSED = "closed", _("Closed")
    PAUSED = "paused", _("Paused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The path a case normally follows, for the step indicator.
MAIN_PATH = [
    Stage.REFERRAL,
    Stage.SCREENING,
    Stage.CONTACT,
    Stage.PREPARATION,
    Stage.PROCESS,
    Stage.AGREEMENT,
    Stage.CLOSED,
]

ENDED = frozenset({Stage.CLOSED, Stage.WITHDRAWN})
OPEN = frozenset(set(Stage) - ENDED)
# A harmed party may pause once someone has been contacted; not before, not after the end.
PAUSABLE = frozenset({Stage.CONTACT, Stage.PREPARATION, Stage.PROCESS, Stage.AGREEMENT})

# Forward and backward steps made with move_case. Closing, pausing, resuming and
# withdrawal have their own services (close_case, pause_case, resume_case,
# withdraw_participant) because each needs more than a reason.
ALLOWED: dict[str, frozenset[str]] = {
    Stage.REFERRAL: frozenset({Stage.SCREENING}),
    Stage.SCREENING: frozenset({Stage.CONTACT}),
    Stage.CONTACT: frozenset({Stage.PREPARATION}),
    Stage.PREPARATION: frozenset({Stage.PROCESS, Stage.CONTACT}),
    Stage.PROCESS: frozenset({Stage.AGREEMENT, Stage.PREPARATION}),
    Stage.AGREEMENT: frozenset({Stage.PROCESS}),
    Stage.PAUSED: frozenset(),
    Stage.CLOSED: frozenset(),
    Stage.WITHDRAWN: frozenset(),
}

NEXT: dict[str, str] = {
    Stage.REFERRAL: Stage.SCREENING,
    Stage.SCREENING: Stage.CONTACT,
    Stage.CONTACT: Stage.PREPARATION,
    Stage.PREPARATION: Stage.PROCESS,
    Stage.PROCESS: Stage.AGREEMENT,
}


class Outcome(models.TextChoices):
    COMPLETED_WITH_AGREEMENT = "completed_with_agreement", _("Completed with agreement")
    COMPLETED_WITHOUT_AGREEMENT = "completed_without_agreement", _("Completed without agreement")
    WITHDRAWN_BY_HARMED_PARTY = "withdrawn_by_harmed_party", _("Withdrawn by harmed party")
    WITHDRAWN_BY_RESPONSIBLE_PARTY = (
        "withdrawn_by_responsible_party",
        _("Withdrawn by responsible party"),
    )
    NOT_SUITABLE = "not_suitable", _("Not suitable after assessment")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNABLE_TO_CONTACT = "unable_to_contact", _("Unable to contact")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    # The parties agreed, but what they agreed was not all done.
    AGREEMENT_NOT_COMPLETED = "agreement_not_completed", _("Agreement not completed")


# Outcomes that only make sense once the parties have met or communicated; each needs
# the whole session log, since the meetings happened.
COMPLETION_OUTCOMES = frozenset(
    {
        Outcome.COMPLETED_WITH_AGREEMENT,
        Outcome.COMPLETED_WITHOUT_AGREEMENT,
        Outcome.AGREEMENT_NOT_COMPLETED,
    }
)
COMPLETION_STAGES = frozenset({Stage.PROCESS, Stage.AGREEMENT})

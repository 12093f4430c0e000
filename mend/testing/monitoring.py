"""Agreements in force for the monitoring and reminder tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from mend.agreements import hours, services
from mend.agreements.models import Agreement, Term
from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome, Stage
from mend.testing.agreements import sign_all
from mend.testing.personas import World


def due(details: services.TermDetails, days: int, **changes: Any) -> services.TermDetails:
    """The same term, due `days` from today."""
    return replace(details, due_on=timezone.localdate() + timedelta(days=days), **changes)


def agreed(
    world: World, case: Case, terms: list[services.TermDetails], responsible: Participant
) -> Agreement:
    """An agreement every party agreed to, for one of several responsible parties."""
    agreement = services.draft_agreement(
        case=case,
        responsible=responsible,
        terms=terms,
        by=world["facilitator"],
        expected_version=None,
    )
    return sign_all(world, agreement)


def serve(world: World, term: Term, start: time, end: time, *, verify: bool) -> None:
    """A session of community service today, checked out, and verified if asked."""
    by = world["coordinator"]
    session = hours.check_in(
        term=term, on=timezone.localdate(), at=start, by=by, expected_version=None
    )
    session = hours.check_out(session=session, at=end, by=by, expected_version=None)
    if verify:
        hours.verify_session(
            session=session, via="on_behalf", verifier_name="Pat", by=by, expected_version=None
        )


def with_volunteer(world: World, case: Case) -> Case:
    """The volunteer assigned to the case, beside its lead facilitator."""
    from mend.cases.services import assign_team

    assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    return case


def closed(case: Case) -> None:
    """The case closed, set directly: what closing requires is tested with closing."""
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, outcome=Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY
    )

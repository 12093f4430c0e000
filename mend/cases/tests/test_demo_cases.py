"""The demo cases: about 150, over every stage and outcome, each keeping the practice rules."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mend.cases.dashboard import case_panels
from mend.cases.models import Case, ConsentEntry, Person, Referral, StageChange
from mend.cases.services import blockers_for
from mend.cases.stages import ENDED, Outcome, Stage
from mend.programs.models import Membership

pytestmark = pytest.mark.django_db

FICTIONAL_DOMAINS = ("@example.org", "@example.net")


def test_the_demo_covers_every_stage_keeps_the_rules_and_loads_again_adding_nothing() -> None:
    # One test, because loading the demo takes most of its time.
    call_command("load_demo")
    covers_every_stage_and_outcome_and_keeps_the_rules()
    counts = (Case.objects.count(), Person.objects.count(), ConsentEntry.objects.count())
    call_command("load_demo")
    assert (Case.objects.count(), Person.objects.count(), ConsentEntry.objects.count()) == counts
    contact_details_are_fictional()
    kept_agreements_add_up()


def covers_every_stage_and_outcome_and_keeps_the_rules() -> None:
    cases = list(
        Case.objects.filter(program__slug="demo").select_related("program", "offence_category")
    )
    assert 140 <= len(cases) <= 160
    assert {case.stage for case in cases} == set(Stage.values)
    assert {case.outcome for case in cases} - {""} == set(Outcome.values)
    assert Referral.objects.filter(program__slug="demo", status=Referral.Status.DECLINED).exists()
    for case in cases:
        if case.stage == Stage.PROCESS:
            assert blockers_for(case, Stage.PROCESS) == [], case.reference
        if case.stage in ENDED:
            assert case.outcome and case.closed_at, case.reference
        else:
            assert not case.outcome, case.reference
    # Back-dated in order: each case's moves follow one another from its referral on.
    for case in cases:
        moves = list(
            StageChange.objects.filter(case=case)
            .order_by("id")
            .values_list("created_at", flat=True)
        )
        assert moves[0] == case.created_at and moves == sorted(moves), case.reference
    # A minor with their guardian's consent on their ledger.
    by_guardians = ConsentEntry.objects.filter(
        participant__case__program__slug="demo", guardian__isnull=False
    ).select_related("participant__person")
    assert any(entry.participant.person.is_minor for entry in by_guardians)
    # The dashboard has something to show in each panel.
    coordinator = Membership.objects.get(program__slug="demo", user__username="coordinator")
    totals = {panel.key: panel.total for panel in case_panels(coordinator)}
    for key in ("to_screen", "offers_due", "consents", "assessments"):
        assert totals[key] > 0, key


def contact_details_are_fictional() -> None:
    people = list(Person.objects.filter(program__slug="demo"))
    assert people
    for person in people:
        assert not person.phone or person.phone.startswith("555"), person.phone
        assert not person.email or person.email.endswith(FICTIONAL_DOMAINS), person.email
        assert not person.address or person.address.endswith("Demo City"), person.address
    for referral in Referral.objects.filter(program__slug="demo"):
        assert referral.referrer_phone.startswith("555")
        assert referral.referrer_email.endswith(FICTIONAL_DOMAINS)


def kept_agreements_add_up() -> None:
    """Each demo case in follow-up has an agreement every party agreed to; each closed as
    completed with agreement has every term done, paid to the cent and served in full."""
    from mend.agreements import progress
    from mend.agreements.models import Agreement, Term

    following = Case.objects.filter(program__slug="demo", stage=Stage.AGREEMENT)
    for case in following:
        assert Agreement.objects.filter(case=case, status="binding").exists(), case.reference
    kept = Case.objects.filter(program__slug="demo", outcome=Outcome.COMPLETED_WITH_AGREEMENT)
    terms = list(Term.objects.filter(agreement__case__in=kept))
    assert terms and kept.exists()
    for term in terms:
        assert term.status == Term.Status.COMPLETED, term.agreement.case.reference
        if term.kind == Term.Kind.RESTITUTION:
            assert progress.balance(term) == 0
        if term.kind == Term.Kind.COMMUNITY_SERVICE:
            assert progress.counted_minutes(term) == term.service_minutes

"""Programs, memberships and the switcher: nobody sees a program they are not in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.accounts.models import User
from mend.core.models import AuditEvent
from mend.programs import services
from mend.programs.models import Membership, OffenceCategory
from mend.programs.queries import memberships_of, programs_visible_to
from mend.programs.roles import Role
from mend.testing.personas import World


def test_new_program_gets_the_default_settings(world: World) -> None:
    program = world.program
    assert program.require_mfa is False or program.require_mfa is True
    assert program.assessment_validity_days == 90
    assert program.rj_offer_deadline_working_days == 5
    handling = dict(program.offence_categories.values_list("code", "handling"))
    assert handling["domestic_abuse"] == OffenceCategory.Handling.SPECIALIST_ONLY
    assert handling["sexual_offence"] == OffenceCategory.Handling.EXCLUDED
    assert handling["theft"] == OffenceCategory.Handling.ELIGIBLE
    assert program.eligibility_criteria.count() == 4
    assert "conference" in program.process_types
    assert program.retention_rules.count() == 4


def test_require_mfa_is_on_by_default(db: None) -> None:
    program = services.create_program(name="Fresh", slug="fresh", by=None)
    assert program.require_mfa is True


def test_a_user_sees_only_programs_they_belong_to(world: World) -> None:
    assert list(programs_visible_to(world["coordinator"])) == [world.program]
    assert list(programs_visible_to(world["outsider"])) == [world.other_program]


def test_an_expired_membership_gives_no_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    Membership.objects.filter(user=world["facilitator"]).update(expires_on=yesterday)
    assert not memberships_of(world["facilitator"]).exists()
    response = client_for("facilitator").get(reverse("programs:settings"))
    assert response.status_code == 404


def test_a_referrer_must_belong_to_an_agency_of_the_program(world: World) -> None:
    newcomer = User.objects.create(username="newcomer")
    with pytest.raises(ValidationError):
        services.grant_membership(user=newcomer, program=world.program, role=Role.REFERRER, by=None)
    with pytest.raises(ValidationError):
        services.grant_membership(
            user=newcomer,
            program=world.program,
            role=Role.REFERRER,
            agency=world.other_agency,
            by=None,
        )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_switcher_changes_the_current_program_for_members_of_both(world: World) -> None:
    both = world["coordinator"]
    services.grant_membership(user=both, program=world.other_program, role=Role.ANALYST, by=None)
    client = Client()
    client.force_login(both)
    page = client.get(reverse("programs:dashboard")).content.decode()
    assert 'id="program-switcher"' in page
    client.post(reverse("programs:switch"), {"program": world.other_program.slug})
    page = client.get(reverse("programs:dashboard")).content.decode()
    assert "You are working in Elsewhere Mediation Centre as Analyst" in page


def test_switcher_is_hidden_for_people_in_one_program(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = client_for("coordinator").get(reverse("programs:dashboard")).content.decode()
    assert 'id="program-switcher"' not in page


def test_switching_to_a_program_you_are_not_in_is_a_404(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").post(
        reverse("programs:switch"), {"program": world.other_program.slug}
    )
    assert response.status_code == 404


def test_navigation_offers_only_pages_the_role_may_open(
    world: World, client_for: Callable[[str], Client]
) -> None:
    def nav(persona: str) -> str:
        return client_for(persona).get(reverse("programs:dashboard")).content.decode()

    assert reverse("programs:audit_log") in nav("coordinator")
    assert reverse("programs:audit_log") not in nav("facilitator")
    assert reverse("programs:members") in nav("program_admin")
    assert reverse("programs:members") not in nav("coordinator")


def test_ending_a_role_keeps_the_history_and_removes_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    membership = world.program.memberships.get(user=world["volunteer"])
    client = client_for("program_admin")
    asked = client.get(reverse("programs:end_member", args=[membership.pk]))
    # Asking is not doing: the GET only asks to confirm.
    assert "End Volunteer's role as Volunteer practitioner?" in asked.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is None
    client.post(reverse("programs:end_member", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert client_for("volunteer").get(reverse("programs:settings")).status_code == 404


def test_admins_cannot_end_their_own_role(
    world: World, client_for: Callable[[str], Client]
) -> None:
    own = world.program.memberships.get(user=world["program_admin"])
    client_for("program_admin").post(reverse("programs:end_member", args=[own.pk]))
    own.refresh_from_db()
    assert own.ended_at is None


def test_password_reset_ends_sessions_keeps_two_factor_and_is_audited(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from mend.accounts.services import confirm_totp_enrolment, start_totp_enrolment
    from mend.accounts.tests.test_sign_in import current_code

    volunteer = world["volunteer"]
    device = start_totp_enrolment(user=volunteer)
    assert confirm_totp_enrolment(
        user=volunteer, device=device, token=current_code(device), by=volunteer
    )
    membership = world.program.memberships.get(user=volunteer)
    response = client_for("program_admin").post(
        reverse("programs:reset_member_password", args=[membership.pk])
    )
    password = response.context["password"]
    assert AuditEvent.objects.filter(action="account.password_reset").exists()
    client = Client()
    answer = client.post(
        reverse("accounts:sign_in"), {"username": "volunteer", "password": password}
    )
    assert answer["Location"] == reverse("accounts:sign_in_code")  # MFA still applies


def test_password_of_someone_working_in_another_program_cannot_be_reset_here(
    world: World, client_for: Callable[[str], Client]
) -> None:
    volunteer = world["volunteer"]
    services.grant_membership(
        user=volunteer, program=world.other_program, role=Role.FACILITATOR, by=None
    )
    membership = world.program.memberships.get(user=volunteer, ended_at__isnull=True)
    response = client_for("program_admin").post(
        reverse("programs:reset_member_password", args=[membership.pk])
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="account.password_reset").exists()

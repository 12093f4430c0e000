"""The demo loads twice without harm, and production refuses the demo password."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from mend.accounts.models import User
from mend.core.checks import demo_password_check
from mend.core.startup import refuse_demo_passwords
from mend.programs import demo as programs_demo
from mend.programs.models import Agency, Membership, Program
from mend.programs.roles import Role


@pytest.mark.django_db
def test_demo_loads_twice_with_one_program_two_agencies_and_one_account_per_role() -> None:
    # The program and accounts part; the whole command, cases included, is loaded twice in
    # mend/cases/tests/test_demo_cases.py.
    programs_demo.load()
    programs_demo.load()
    program = Program.objects.get(slug="demo")
    assert program.name == "Demo City Restorative Justice Program"
    assert not program.require_mfa
    assert set(Agency.objects.filter(program=program).values_list("name", flat=True)) == {
        "Demo City Police Department",
        "Demo County District Attorney",
    }
    roles = dict(
        Membership.objects.filter(program=program, ended_at__isnull=True).values_list(
            "user__username", "role"
        )
    )
    assert roles == {
        "admin": Role.PROGRAM_ADMIN,
        "coordinator": Role.COORDINATOR,
        "facilitator": Role.FACILITATOR,
        "volunteer": Role.VOLUNTEER,
        "referrer": Role.REFERRER,
        "analyst": Role.ANALYST,
    }
    assert Membership.objects.get(user__username="referrer").agency.name.startswith("Demo City")


@pytest.mark.django_db
def test_demo_coordinator_signs_in_with_the_documented_password() -> None:
    programs_demo.load()  # the accounts part of the demo; cases are tested elsewhere
    client = Client()
    response = client.post(
        reverse("accounts:sign_in"), {"username": "coordinator", "password": "mend-demo"}
    )
    assert response.status_code == 302
    assert client.get(reverse("programs:dashboard")).status_code == 200


@pytest.mark.django_db
def test_production_refuses_to_start_while_a_demo_account_has_the_demo_password() -> None:
    programs_demo.load()
    with override_settings(PRODUCTION=True), pytest.raises(ImproperlyConfigured, match="admin"):
        refuse_demo_passwords()
    assert demo_password_check(None, databases=["default"])
    for user in User.objects.filter(username__in=["admin", "coordinator", "facilitator"]):
        user.set_password("a new long private passphrase")
        user.save()
    User.objects.filter(username__in=["volunteer", "referrer", "analyst"]).update(is_active=False)
    with override_settings(PRODUCTION=True):
        refuse_demo_passwords()  # no longer raises
    assert demo_password_check(None, databases=["default"]) == []

"""The Django admin is the platform operator's: superusers only, no unscoped shortcuts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from mend.accounts.models import User
from mend.core.models import AuditEvent
from mend.programs.models import Agency, Program
from mend.testing.personas import World


@pytest.fixture
def root_client(world: World) -> Iterator[Client]:
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    with override_settings(DEMO_MODE=True):  # superusers need MFA outside demo mode
        yield client


@pytest.mark.parametrize("persona", ["program_admin", "coordinator", "outsider"])
def test_a_signed_in_non_superuser_gets_the_403_page_at_the_admin_not_a_redirect(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    for url in (
        "/admin/",
        "/admin/programs/program/",
        f"/admin/programs/agency/{world.police.pk}/change/",
    ):
        response = client_for(persona).get(url)
        assert response.status_code == 403, url
        assert "usa-" in response.content.decode()  # Mend's own 403 page


def test_the_anonymous_are_sent_to_sign_in_from_the_admin(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:sign_in"))
    assert response.status_code == 200


def test_a_superuser_opens_the_admin(root_client: Client) -> None:
    assert root_client.get("/admin/").status_code == 200
    assert root_client.get("/admin/programs/program/").status_code == 200


def test_a_superuser_still_owing_a_second_factor_is_sent_to_sign_in_not_refused(
    world: World,
) -> None:
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    response = client.get("/admin/")  # outside demo mode, without a verified device
    assert response.status_code == 302


def test_the_view_on_site_shortcut_is_not_served(world: World, root_client: Client) -> None:
    with pytest.raises(NoReverseMatch):
        reverse("admin:view_on_site", kwargs={"content_type_id": 1, "object_id": "1"})
    content_type = ContentType.objects.get_for_model(Program)
    response = root_client.get(f"/admin/r/{content_type.pk}/{world.program.pk}/")
    assert response.status_code == 404


def test_admin_logout_still_refuses_get(root_client: Client) -> None:
    assert root_client.get(reverse("admin:logout")).status_code == 405


def test_an_admin_change_is_audited_and_makes_open_settings_forms_stale(
    world: World, root_client: Client
) -> None:
    before = world.program.version
    url = f"/admin/programs/agency/{world.police.pk}/change/"
    response = root_client.post(
        url,
        {
            "program": world.program.pk,
            "name": "Riverside Police Department",
            "kind": Agency.Kind.POLICE,
            "refers_cases": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="agency.changed")
    assert event.changed_fields == ["name"]
    assert event.program == world.program
    world.program.refresh_from_db()
    assert world.program.version == before + 1


def test_the_admin_refuses_a_process_list_with_an_unknown_code(
    world: World, root_client: Client
) -> None:
    url = f"/admin/programs/program/{world.program.pk}/change/"
    data = {
        "name": world.program.name,
        "time_zone": "UTC",
        "languages": '["en"]',
        "process_types": '["mediation", "duel"]',
        "consent_purposes": '["contact", "face_to_face"]',
        "assessment_validity_days": "90",
        "rj_offer_deadline_working_days": "5",
    }
    response = root_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Unknown code: duel." in response.content.decode()
    deep = root_client.post(url, {**data, "process_types": "[" * 5000 + "]" * 5000})
    assert deep.status_code == 200
    world.program.refresh_from_db()
    assert "duel" not in world.program.process_types
    assert isinstance(world.program.process_types[0], str)

"""API keys: made by program administrators (or the command line), shown once, stored as
a hash, revoked for good."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.core.models import AuditEvent
from mend.core.navigation import items_for
from mend.partners import services
from mend.partners.models import ApiKey, Scope
from mend.programs.models import Membership
from mend.testing.personas import World

BOTH = [Scope.REFERRALS_WRITE, Scope.REFERRALS_READ]


def test_a_key_is_shown_once_and_only_its_hash_is_kept(world: World) -> None:
    key, text = services.create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=BOTH,
        expires_at=None,
        by=world["program_admin"],
    )

    assert text.startswith(f"mend_{key.prefix}_")
    assert len(key.prefix) == 8
    assert len(text.split("_", 2)[2]) >= 43  # 32 random bytes
    assert key.hashed_secret == hashlib.sha256(text.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert not any(text in str(value) for value in stored.values())
    assert key.scopes == [Scope.REFERRALS_WRITE, Scope.REFERRALS_READ]
    event = AuditEvent.objects.get(action="api_key.created")
    assert event.actor == world["program_admin"]
    assert text not in str(event.details)
    assert services.check_key(text).key == key


def test_keys_are_checked_in_full(world: World) -> None:
    _key, text = services.create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=BOTH,
        expires_at=None,
        by=None,
    )
    assert services.check_key(text[:-1]).refusal == "unknown"
    assert services.check_key(text + "x").refusal == "unknown"
    assert services.check_key(text.replace("mend_", "dnem_")).refusal == "malformed"
    assert services.check_key("").refusal == "missing"
    assert services.check_key("x" * 5000).refusal == "malformed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["cases:delete"]}, "scopes"),
        ({"expires_at": "past"}, "expires_at"),
        ({"agency": "other"}, "agency"),
    ],
)
def test_a_key_needs_a_name_known_scopes_a_future_expiry_and_our_agency(
    world: World, changes: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "program": world.program,
        "agency": world.police,
        "name": "Records system",
        "scopes": BOTH,
        "expires_at": None,
        "by": None,
    }
    arguments.update(changes)
    if changes.get("expires_at") == "past":
        arguments["expires_at"] = timezone.now() - timedelta(minutes=1)
    if changes.get("agency") == "other":
        arguments["agency"] = world.other_agency
    with pytest.raises(ValidationError) as raised:
        services.create_api_key(**arguments)  # type: ignore[arg-type]
    assert field in raised.value.message_dict
    assert not ApiKey.objects.exists()


def test_revoking_stops_the_key_and_is_audited_once(world: World) -> None:
    key, text = services.create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=BOTH,
        expires_at=None,
        by=None,
    )
    services.revoke_api_key(key=key, by=world["program_admin"])
    services.revoke_api_key(key=key, by=world["program_admin"])

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.revoked_by == world["program_admin"]
    assert services.check_key(text).refusal == "revoked"
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


# --- The command ----------------------------------------------------------------------------


def test_the_command_prints_a_working_key_on_its_last_line(world: World) -> None:
    out = io.StringIO()
    call_command(
        "create_api_key",
        "--program",
        "riverside",
        "--agency",
        "Riverside Police",
        "--scopes",
        "referrals:write,referrals:read",
        "--name",
        "Niche RMS",
        "--expires-days",
        "30",
        stdout=out,
    )

    text = out.getvalue().strip().splitlines()[-1]
    key = services.check_key(text).key
    assert key is not None
    assert key.name == "Niche RMS"
    assert key.agency == world.police
    assert key.scopes == BOTH
    assert key.expires_at is not None
    assert timedelta(days=29) < key.expires_at - timezone.now() <= timedelta(days=30)


@pytest.mark.parametrize(
    "arguments",
    [
        ["--program", "nowhere", "--agency", "Riverside Police", "--scopes", "referrals:read"],
        ["--program", "riverside", "--agency", "Elsewhere Police", "--scopes", "referrals:read"],
        ["--program", "riverside", "--agency", "Riverside Police", "--scopes", "everything"],
        [
            "--program",
            "riverside",
            "--agency",
            "Riverside Police",
            "--scopes",
            "referrals:read",
            "--expires-days",
            "0",
        ],
    ],
)
def test_the_command_refuses_what_it_cannot_do(world: World, arguments: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("create_api_key", *arguments, stdout=io.StringIO())
    assert not ApiKey.objects.exists()


# --- The staff pages ------------------------------------------------------------------------


def test_administrators_create_a_key_and_see_it_once(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("program_admin")

    response = client.post(
        reverse("partners:api_keys"),
        {
            "name": "Records system",
            "agency": world.police.pk,
            "scopes": [Scope.REFERRALS_WRITE],
            "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        },
    )

    assert response.status_code == 200
    text = response.context["key_text"]
    assert text in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    assert key.created_by == world["program_admin"]
    assert key.scopes == [Scope.REFERRALS_WRITE]
    assert key.expires_at is not None
    # Not kept anywhere the next page could show it again.
    assert not any(text in str(m) for m in get_messages(response.wsgi_request))
    assert not any(text in str(v) for v in client.session.values())
    listing = client.get(reverse("partners:api_keys")).content.decode()
    assert key.prefix in listing
    assert text not in listing
    assert "Records system" in listing


def test_an_invalid_key_form_is_shown_again_with_errors(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("program_admin").post(
        reverse("partners:api_keys"),
        {"name": "", "agency": world.other_agency.pk, "scopes": []},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"name", "agency", "scopes"} <= set(form.errors)
    assert not ApiKey.objects.exists()


def test_administrators_revoke_a_key(world: World, client_for: Callable[[str], Client]) -> None:
    key, _text = services.create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=BOTH,
        expires_at=None,
        by=None,
    )
    response = client_for("program_admin").post(reverse("partners:revoke_api_key", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_another_programs_administrator_cannot_see_or_revoke_our_keys(
    world: World, client_for: Callable[[str], Client]
) -> None:
    key, _text = services.create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=BOTH,
        expires_at=None,
        by=None,
    )
    outsider = client_for("outsider")
    assert key.prefix not in outsider.get(reverse("partners:api_keys")).content.decode()
    response = outsider.post(reverse("partners:revoke_api_key", args=[key.pk]))
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_only_administrators_are_offered_the_page(world: World) -> None:
    def offered(persona: str) -> bool:
        membership = Membership.objects.get(user=world[persona], program=world.program)
        return any(name == "partners:api_keys" for _, _, name in items_for(membership))

    assert offered("program_admin")
    assert not any(offered(p) for p in ("coordinator", "facilitator", "referrer", "analyst"))


@pytest.mark.parametrize("expires_on", ["9999-12-31", "0001-01-01", "far-future"])
def test_a_key_expiry_beyond_two_years_or_before_1900_is_a_field_message_not_a_500(
    world: World, client_for: Callable[[str], Client], expires_on: str
) -> None:
    if expires_on == "far-future":
        expires_on = (timezone.localdate() + timedelta(days=2 * 366 + 1)).isoformat()
    response = client_for("program_admin").post(
        reverse("partners:api_keys"),
        {
            "name": "Records system",
            "agency": world.police.pk,
            "scopes": [Scope.REFERRALS_WRITE],
            "expires_on": expires_on,
        },
    )
    assert response.status_code == 400
    assert 'id="id_expires_on_error"' in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_key_service_refuses_an_expiry_more_than_two_years_ahead(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.create_api_key(
            program=world.program,
            agency=world.police,
            name="Records system",
            scopes=BOTH,
            expires_at=timezone.now() + timedelta(days=800),
            by=None,
        )
    assert "two years" in raised.value.message_dict["expires_at"][0]
    assert not ApiKey.objects.exists()

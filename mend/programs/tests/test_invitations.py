"""Invitations: an administrator offers a role by a one-time link and learns nothing about
who has an account; the invitee accepts once, signed in or with a new account."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.accounts.models import User
from mend.core.audit_sentences import describe
from mend.core.models import AuditEvent
from mend.programs.models import Invitation, Membership
from mend.programs.roles import Role
from mend.testing.personas import World

Clients = Callable[[str], Client]
GOOD_PASSWORD = "a long and quiet river morning"


def invite(client: Client, **overrides: str) -> tuple[Client, str]:
    data = {"full_name": "Sam Newcomer", "email": "sam@example.org", "role": Role.VOLUNTEER}
    data.update(overrides)
    response = client.post(reverse("programs:members"), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return client, response.context["link"]


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


def _page_without_secrets(body: str, link: str) -> str:
    body = body.replace(link, "LINK")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)


def test_inviting_answers_the_same_page_whether_or_not_the_email_has_an_account(
    world: World, client_for: Clients
) -> None:
    volunteer = world["volunteer"]
    volunteer.email = "known@example.org"
    volunteer.save()
    admin = client_for("program_admin")
    pages = []
    for email in ("known@example.org", "unknown@example.org"):
        response = admin.post(
            reverse("programs:members"),
            {"full_name": "Sam Newcomer", "email": email, "role": Role.VOLUNTEER},
        )
        assert response.status_code == 200
        body = _page_without_secrets(response.content.decode(), response.context["link"])
        pages.append(body.replace(email, "EMAIL"))
        assert "Give this link to Sam Newcomer" in body
    assert pages[0] == pages[1]
    # Nothing was granted yet: an invitation is only an offer.
    assert (
        not Membership.objects.filter(user=volunteer, role=Role.VOLUNTEER)
        .exclude(pk=world.program.memberships.get(user=volunteer).pk)
        .exists()
    )
    assert (
        AuditEvent.objects.filter(
            action="invitation.created", actor=world["program_admin"], program=world.program
        ).count()
        == 2
    )


def test_only_the_sha256_of_the_token_is_stored_and_the_link_is_emailed(
    world: World, client_for: Clients
) -> None:
    _client, link = invite(client_for("program_admin"))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    assert invitation.valid_until - timezone.now() > timedelta(days=13, hours=23)
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    assert link in mail.outbox[0].body


def test_a_signed_in_invitee_accepts_once_and_gets_the_role(
    world: World, client_for: Clients
) -> None:
    _admin, link = invite(client_for("program_admin"), role=Role.FACILITATOR)
    newcomer = User.objects.create(username="newcomer")
    client = Client()
    client.force_login(newcomer)
    page = client.get(_path(link))
    assert page.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()
    assert client.post(_path(link)).status_code == 302
    membership = Membership.objects.get(user=newcomer, ended_at__isnull=True)
    assert membership.role == Role.FACILITATOR
    assert membership.program == world.program
    assert AuditEvent.objects.filter(action="membership.granted", actor=newcomer).exists()
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=newcomer).exists()
    # The audit trail says they took the role up, not that they gave it to themselves.
    granted = AuditEvent.objects.get(action="membership.granted", actor=newcomer)
    assert str(describe(granted)) == "newcomer took up the role Facilitator"
    # Single use: the same link never grants twice, to anyone.
    again = client.post(_path(link))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_an_invitee_without_an_account_creates_one_with_a_valid_password(
    world: World, client_for: Clients
) -> None:
    _admin, link = invite(client_for("program_admin"))
    visitor = Client()
    page = visitor.get(_path(link)).content.decode()
    assert f"{reverse('accounts:sign_in')}?next=" in page  # or sign in first and come back
    weak = visitor.post(
        _path(link), {"username": "sam", "password1": "12345678", "password2": "12345678"}
    )
    assert weak.status_code == 400
    assert 'id="id_password1_error"' in weak.content.decode()
    assert not User.objects.filter(username="sam").exists()
    done = visitor.post(
        _path(link), {"username": "sam", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert done.status_code == 302
    sam = User.objects.get(username="sam")
    assert sam.full_name == "Sam Newcomer"
    assert sam.email == "sam@example.org"
    assert world.program.memberships.get(user=sam).role == Role.VOLUNTEER
    signed_in = visitor.post(
        reverse("accounts:sign_in"), {"username": "sam", "password": GOOD_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert visitor.get(reverse("programs:dashboard")).status_code == 200


def test_an_expired_invitation_says_so_and_grants_nothing(
    world: World, client_for: Clients
) -> None:
    _admin, link = invite(client_for("program_admin"))
    Invitation.objects.update(valid_until=timezone.now() - timedelta(seconds=1))
    client = client_for("analyst")
    for method in ("get", "post"):
        response = getattr(client, method)(_path(link))
        assert response.status_code == 410
        assert "This invitation has expired." in response.content.decode()
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()
    assert world.program.memberships.get(user=world["analyst"]).role == Role.ANALYST


def test_an_unknown_invitation_token_is_a_404(db: None) -> None:
    response = Client().get(reverse("programs:invitation", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_the_role_field_starts_with_no_role_chosen(client_for: Clients) -> None:
    body = client_for("program_admin").get(reverse("programs:members")).content.decode()
    select = re.search(r'<select name="role".*?</select>', body, re.S)
    assert select is not None
    options = re.findall(r"<option[^>]*>", select.group(0))
    assert options[0] == '<option value="" selected>'
    assert all("selected" not in option for option in options[1:])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": ""}, "role", "This field is required"),
        ({"role": "overlord"}, "role", "Select a valid choice"),
        ({"role": "referrer"}, "agency", "must belong to a referring"),
        ({"email": "not-an-address"}, "email", "Enter a valid email"),
        ({"expires_on": "31/31/2026"}, "expires_on", "Enter a valid date"),
        ({"expires_on": "0001-01-01"}, "expires_on", "1900 or later"),
    ],
)
def test_bad_invitation_input_gets_a_field_message_and_creates_nothing(
    client_for: Clients, data: dict[str, str], field: str, message: str
) -> None:
    posted = {"full_name": "Sam Newcomer", "email": "sam@example.org", "role": "volunteer"}
    response = client_for("program_admin").post(reverse("programs:members"), posted | data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_an_invitee_can_sign_in_first_and_come_back_to_accept(
    world: World, client_for: Clients
) -> None:
    from mend.testing.personas import PASSWORD

    _admin, link = invite(
        client_for("program_admin"), role=Role.REFERRER, agency=str(world.police.pk)
    )
    visitor = Client()
    signed_in = visitor.post(
        f"{reverse('accounts:sign_in')}?next={_path(link)}",
        {"username": "analyst", "password": PASSWORD},
    )
    assert signed_in["Location"] == _path(link)
    assert visitor.post(_path(link)).status_code == 302
    membership = world.program.memberships.get(user=world["analyst"], ended_at__isnull=True)
    assert (membership.role, membership.agency) == (Role.REFERRER, world.police)

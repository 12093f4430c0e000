"""The placement confirms the hours served there through its own private link, with no
sign-in, seeing only what it needs: a given name, a family initial, the day and the times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.agreements import hours, placement_services, verification
from mend.agreements.models import Placement, ServiceSession
from mend.cases.services.base import Blocked
from mend.core.audit_sentences import describe
from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.testing.agreements import placement, session_to_verify
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE
from mend.testing.personas import World

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def _link(place: Placement) -> str:
    _placement, token = placement_services.make_verify_link(
        placement=place, by=None, expected_version=None
    )
    return token


def _url(token: str) -> str:
    return reverse("agreements:verify_hours", args=[token])


def test_the_page_shows_only_a_given_name_a_family_initial_the_day_and_the_times(
    world: World,
) -> None:
    session = session_to_verify(world)
    token = _link(session.placement)
    case = session.term.agreement.case
    response = Client().get(_url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rory0 R." in body
    assert "Responsible" not in body
    assert "09:00" in body and "12:30" in body and "3 h 30 min" in body
    for secret in (
        CANARY_PHONE,
        CANARY_EMAIL,
        CANARY_ADDRESS,
        "Hana0",
        "Harmed",
        case.reference,
        "CR/2026/0001",
        "bicycle",
        session.term.description,
    ):
        assert secret not in body, secret
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


def test_confirming_verifies_the_hours_through_the_service_naming_the_contact(
    world: World,
) -> None:
    session = session_to_verify(world)
    token = _link(session.placement)
    response = Client().post(_url(token), {"sessions": [session.pk], "name": "Pat Placement"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.verified_via == ServiceSession.VerifiedVia.PLACEMENT
    assert session.verifier_name == "Pat Placement"
    assert session.verified_by is None
    assert AuditEvent.objects.filter(action="agreement.hours_verified").count() == 1
    # Confirmed, it is no longer listed.
    assert "No sessions wait for your confirmation" in Client().get(_url(token)).content.decode()
    assert not verification.awaiting(session.placement).exists()


def test_the_form_is_protected_by_the_csrf_token_like_every_other(world: World) -> None:
    session = session_to_verify(world)
    token = _link(session.placement)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(_url(token), {"sessions": [session.pk], "name": "Pat"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert not session.is_verified


def test_an_unknown_or_revoked_or_replaced_link_is_a_404(world: World) -> None:
    session = session_to_verify(world)
    place = session.placement
    assert Client().get(_url("not-a-real-token")).status_code == 404
    old = _link(place)
    new = _link(place)
    assert Client().get(_url(old)).status_code == 404
    assert Client().get(_url(new)).status_code == 200
    place.refresh_from_db()
    placement_services.revoke_verify_link(placement=place, by=None, expected_version=None)
    assert Client().get(_url(new)).status_code == 404
    assert Client().post(_url(new), {"sessions": [session.pk], "name": "X"}).status_code == 404
    session.refresh_from_db()
    assert not session.is_verified


def test_only_the_hash_of_the_token_is_kept(world: World) -> None:
    place = placement(world)
    token = _link(place)
    place.refresh_from_db()
    assert token not in place.verify_token_hash
    assert len(place.verify_token_hash) == 64
    assert not AuditEvent.objects.filter(details__icontains=token).exists()


def test_a_session_of_another_placement_cannot_be_confirmed_through_this_link(
    world: World,
) -> None:
    ours = session_to_verify(world)
    theirs = session_to_verify(world, where=placement(world, name="Park Clean-up"))
    token = _link(ours.placement)
    body = Client().get(_url(token)).content.decode()
    assert f'value="{theirs.pk}"' not in body
    response = Client().post(_url(token), {"sessions": [theirs.pk], "name": "Pat"})
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert not theirs.is_verified
    with pytest.raises(Blocked):
        verification.confirm(placement=ours.placement, session_ids=[theirs.pk], name="Pat")
    flag = reverse("agreements:flag_session", args=[token, theirs.pk])
    assert Client().get(flag).status_code == 404


def test_sessions_of_a_closed_case_or_of_a_term_no_longer_open_are_not_listed(
    world: World,
) -> None:
    from mend.agreements import services

    session = session_to_verify(world)
    term = session.term
    services.set_term_status(
        term=term, status="waived", reason="Health.", by=world["coordinator"], expected_version=None
    )
    assert not verification.awaiting(session.placement).exists()
    other = session_to_verify(world)
    from mend.cases.models import Case
    from mend.cases.stages import Outcome, Stage

    Case.objects.filter(pk=other.term.agreement.case_id).update(
        stage=Stage.CLOSED, outcome=Outcome.values[0]
    )
    assert not verification.awaiting(other.placement).exists()
    token = _link(other.placement)
    assert "No sessions wait for your confirmation" in Client().get(_url(token)).content.decode()


def test_saying_a_session_is_wrong_tells_the_staff_and_changes_no_hours(world: World) -> None:
    session = session_to_verify(world)
    token = _link(session.placement)
    url = reverse("agreements:flag_session", args=[token, session.pk])
    assert Client().post(url, {"problem": "times", "name": ""}).status_code == 400
    response = Client().post(url, {"problem": "times", "name": "Pat Placement"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert not session.is_verified and session.minutes == 210
    event = AuditEvent.objects.get(action="agreement.hours_flagged")
    assert event.details["problem"] == "times"
    assert "Pat Placement, at the placement, said a session" in str(describe(event))
    # The case's staff see it on the timeline.
    from mend.cases import registry

    titles = [e.title for e in registry.timeline_entries(session.term.agreement.case)]
    assert "The placement said a community service session is wrong" in titles


def test_the_page_costs_the_same_queries_however_many_sessions_wait(world: World) -> None:
    first = session_to_verify(world)
    token = _link(first.placement)
    Client().get(_url(token))
    with CaptureQueriesContext(connection) as few:
        assert Client().get(_url(token)).status_code == 200
    for _number in range(4):
        session_to_verify(world, where=first.placement)
    term = first.term
    hours.verify_session(
        session=first,
        via="on_behalf",
        verifier_name="Pat",
        by=world["coordinator"],
        expected_version=None,
    )
    more = hours.check_in(
        term=term,
        on=timezone.localdate(),
        at=time(13),
        by=world["volunteer"],
        expected_version=None,
    )
    hours.check_out(session=more, at=time(14), by=world["volunteer"], expected_version=None)
    assert verification.awaiting(first.placement).count() == 5
    with CaptureQueriesContext(connection) as many:
        assert Client().get(_url(token)).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_a_coordinator_makes_a_link_shown_once_and_the_old_one_stops(
    world: World, client_for: Clients
) -> None:
    place = placement(world)
    client = client_for("coordinator")
    url = reverse("agreements:make_link", args=[place.pk])
    response = client.post(url, {"version": place.version, "submission": new_token()})
    assert response.status_code == 200
    body = response.content.decode()
    start = body.index("/placements/verify/")
    shown = body[start : body.index("</code>", start)]
    assert Client().get(shown).status_code == 200
    place.refresh_from_db()
    client.post(url, {"version": place.version, "submission": new_token()})
    assert Client().get(shown).status_code == 404
    # The change page never shows a working link again.
    page = client.get(reverse("agreements:change_placement", args=[place.pk])).content.decode()
    assert "/placements/verify/" not in page
    assert AuditEvent.objects.filter(action="placement.link_replaced").count() == 1

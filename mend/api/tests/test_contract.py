"""The partner API's contract, one status code at a time, against a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from mend.api.tests.conftest import Partner, make_partner, referral_body
from mend.cases.models import Case, Participant, Person, Referral, RJOffer
from mend.core.models import AuditEvent
from mend.partners.models import ApiRateWindow, IdempotentRequest, Scope
from mend.partners.services import create_api_key, revoke_api_key
from mend.testing.cases import submit
from mend.testing.personas import World


def counts() -> tuple[int, int, int, int]:
    return (
        Referral.objects.count(),
        Case.objects.count(),
        Person.objects.count(),
        IdempotentRequest.objects.count(),
    )


def errors_by_field(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {error["field"]: error["message"] for error in body["errors"]}


# --- 201 and idempotency -------------------------------------------------------------------


def test_a_referral_is_created_for_the_keys_agency(world: World, partner: Partner) -> None:
    response = partner.send(referral_body())

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "reference", "status", "status_url"}
    assert body["status"] == "received"
    assert body["status_url"] == f"http://testserver/api/v1/referrals/{body['id']}"
    referral = Referral.objects.select_related("case").get(pk=body["id"])
    assert body["reference"] == referral.case.reference
    assert referral.agency == world.police
    assert referral.program == world.program
    assert referral.source == Referral.Source.API
    assert referral.submitted_by is None
    assert referral.referrer_name == "PC Ada Byron"
    assert referral.referrer_staff_id == "4471"
    assert referral.summary == "A bicycle was taken from outside the library."
    harmed = referral.case.participants.get(role=Participant.Role.HARMED)
    assert harmed.person.email == "hana@example.org"
    responsible = referral.case.participants.get(role=Participant.Role.RESPONSIBLE)
    assert responsible.admits_responsibility is True
    # consents_to_contact is recorded as the response to the referrer's offer.
    offer = RJOffer.objects.get(participant=harmed)
    assert offer.response == RJOffer.Response.INTERESTED
    assert offer.channel == RJOffer.Channel.VIA_REFERRER
    event = AuditEvent.objects.get(action="api.referral.created")
    assert event.actor is None
    assert event.actor_label == f"api:{partner.key.prefix}"
    assert event.program == world.program
    assert event.object_id == str(referral.pk)


def test_a_retry_with_the_same_key_and_body_returns_the_same_referral(
    partner: Partner,
) -> None:
    first = partner.send(referral_body(), idempotency_key="retry-0001")
    before = counts()

    again = partner.send(referral_body(), idempotency_key="retry-0001")

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert counts() == before
    assert AuditEvent.objects.filter(action="api.referral.replayed").count() == 1


def test_the_retry_matches_however_the_json_is_laid_out(partner: Partner) -> None:
    body = referral_body()
    first = partner.send(body, idempotency_key="layout")
    reordered = dict(reversed(list(body.items())))
    compact = json.dumps(reordered, separators=(",", ":"))

    again = partner.send(compact, idempotency_key="layout")

    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_a_different_body_is_a_conflict(partner: Partner) -> None:
    partner.send(referral_body(), idempotency_key="reused")
    before = counts()

    response = partner.send(referral_body(incident_reference="OTHER/1"), idempotency_key="reused")

    assert response.status_code == 409
    assert errors_by_field(response).keys() == {"Idempotency-Key"}
    assert counts() == before
    assert AuditEvent.objects.filter(
        action="api.idempotency.conflict", outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_idempotency_keys_belong_to_one_api_key(world: World, partner: Partner) -> None:
    other = make_partner(world)
    first = partner.send(referral_body(), idempotency_key="shared-name")
    second = other.send(referral_body(), idempotency_key="shared-name")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


# --- 401 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-key", "Bearer mend_x_y"],
)
def test_a_request_without_a_working_key_is_refused(
    partner: Partner, authorization: str | None
) -> None:
    headers = {"Idempotency-Key": "k1"}
    if authorization is not None:
        headers["Authorization"] = authorization
    before = counts()

    response = Client().post(
        "/api/v1/referrals",
        data=referral_body(),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["field"] == ""
    assert counts() == before
    assert AuditEvent.objects.filter(
        action="api.auth.refused", outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_a_key_with_a_wrong_secret_is_refused(partner: Partner) -> None:
    forged = partner.text[:-4] + ("AAAA" if not partner.text.endswith("AAAA") else "BBBB")
    response = Client().get("/api/v1/referrals", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_revoked_key_is_refused(world: World, partner: Partner) -> None:
    revoke_api_key(key=partner.key, by=world["program_admin"])

    response = partner.send(referral_body())

    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]
    event = AuditEvent.objects.get(action="api.auth.refused")
    assert event.actor_label == f"api:{partner.key.prefix}"
    assert event.program == world.program
    assert event.details["reason"] == "revoked"


def test_an_expired_key_is_refused(world: World) -> None:
    _key, text = create_api_key(
        program=world.program,
        agency=world.police,
        name="Short-lived",
        scopes=[Scope.REFERRALS_READ],
        expires_at=timezone.now() + timedelta(hours=1),
        by=None,
    )
    client = Client()
    headers = {"Authorization": f"Bearer {text}"}
    assert client.get("/api/v1/referrals", headers=headers).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client.get("/api/v1/referrals", headers=headers)

    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"]


def test_a_key_of_an_inactive_agency_is_refused(world: World, partner: Partner) -> None:
    world.police.is_active = False
    world.police.save(update_fields=["is_active"])
    assert partner.get("/api/v1/referrals").status_code == 401


# --- 403 ------------------------------------------------------------------------------------


def test_a_key_without_the_write_scope_cannot_send(world: World) -> None:
    reader = make_partner(world, scopes=[Scope.REFERRALS_READ])
    before = counts()

    response = reader.send(referral_body())

    assert response.status_code == 403
    assert "referrals:write" in response.json()["errors"][0]["message"]
    assert counts() == before
    assert AuditEvent.objects.filter(
        action="api.scope.refused", outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_a_key_without_the_read_scope_cannot_read(world: World) -> None:
    writer = make_partner(world, scopes=[Scope.REFERRALS_WRITE])
    created = writer.send(referral_body()).json()
    assert writer.get(f"/api/v1/referrals/{created['id']}").status_code == 403
    assert writer.get("/api/v1/referrals").status_code == 403
    # The categories are needed to send a referral at all.
    assert writer.get("/api/v1/offence-categories").status_code == 200


# --- 404 and 405 ----------------------------------------------------------------------------


def test_another_agencys_referral_is_not_found(world: World, partner: Partner) -> None:
    # One of our program's referrals, sent on paper by another agency of the program...
    from mend.programs.services import add_agency

    school = add_agency(program=world.program, name="Riverside School", kind="school", by=None)
    theirs = submit(world).referral
    theirs.agency = school
    theirs.save(update_fields=["agency"])
    # ...and one in another program altogether.
    elsewhere = submit(world, program=world.other_program).referral

    for referral in (theirs, elsewhere):
        response = partner.get(f"/api/v1/referrals/{referral.pk}")
        assert response.status_code == 404
        assert response.json() == {
            "errors": [
                {"field": "", "message": "No referral with this id was sent by your agency."}
            ]
        }
    assert partner.get("/api/v1/referrals/999999").status_code == 404
    listed = partner.get("/api/v1/referrals").json()["items"]
    assert listed == []


def test_an_unknown_api_path_is_a_json_404(partner: Partner) -> None:
    response = partner.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "Not Found"


def test_a_method_the_path_does_not_allow_is_a_json_405(partner: Partner) -> None:
    response = partner.client.delete("/api/v1/referrals", headers=partner.headers())
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    assert response.json()["errors"][0]["message"] == "Method Not Allowed"


# --- 422 and 400 ----------------------------------------------------------------------------


def test_every_invalid_field_is_listed_and_nothing_is_stored(partner: Partner) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = referral_body(
        incident_date=tomorrow,
        offence_category="not-a-category",
        justice_stage="at_the_pub",
        summary="x" * 5001,
        surprise="unknown fields are refused",
    )
    body["referrer"]["email"] = "not an address"
    body["harmed_parties"][0]["email"] = "also-not-an-address"
    body["harmed_parties"][0]["given_name"] = "   "
    body["harmed_parties"][0]["date_of_birth"] = "1980-02-30"
    body["responsible_parties"][0]["admits_responsibility"] = "yes"
    body["responsible_parties"][0]["family_name"] = "L" * 101
    before = counts()

    response = partner.send(body)

    assert response.status_code == 422
    errors = errors_by_field(response)
    assert set(errors) == {
        "incident_date",
        "offence_category",
        "justice_stage",
        "summary",
        "surprise",
        "referrer.email",
        "harmed_parties.0.email",
        "harmed_parties.0.given_name",
        "harmed_parties.0.date_of_birth",
        "responsible_parties.0.admits_responsibility",
        "responsible_parties.0.family_name",
    }
    assert errors["surprise"] == "Unknown field."
    assert errors["incident_date"] == "This date is in the future."
    assert "offence category" in errors["offence_category"]
    assert counts() == before
    assert not AuditEvent.objects.filter(action="api.referral.created").exists()


def test_missing_fields_and_header_are_listed(partner: Partner) -> None:
    response = partner.client.post(
        "/api/v1/referrals",
        data={"harmed_parties": []},
        content_type="application/json",
        headers=partner.headers(),
    )
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert {
        "Idempotency-Key",
        "incident_reference",
        "incident_date",
        "offence_category",
        "justice_stage",
        "referrer",
        "harmed_parties",
    } <= set(errors)
    assert errors["incident_reference"] == "This field is required."


def test_the_idempotency_key_header_is_required(partner: Partner) -> None:
    before = counts()
    response = partner.client.post(
        "/api/v1/referrals",
        data=referral_body(),
        content_type="application/json",
        headers=partner.headers(),
    )
    assert response.status_code == 422
    assert list(errors_by_field(response)) == ["Idempotency-Key"]
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("incident_date", 20260101),
        ("incident_date", "01/02/2026"),
        ("incident_date", "2026-01-01T00:00:00"),
        ("incident_reference", 42),
        ("incident_reference", "CR\x00001"),
        ("incident_reference", "\ud800"),
        ("harmed_parties", {"given_name": "Not a list"}),
        ("referrer", "PC Byron"),
    ],
)
def test_wrong_types_and_unsafe_text_are_refused(
    partner: Partner, field: str, value: object
) -> None:
    before = counts()
    response = partner.send(referral_body(**{field: value}))
    assert response.status_code == 422
    assert field in errors_by_field(response)
    assert counts() == before


def test_consent_to_contact_needs_the_date_it_was_offered(partner: Partner) -> None:
    body = referral_body()
    del body["harmed_parties"][0]["rj_offered_on"]
    response = partner.send(body)
    assert response.status_code == 422
    assert "rj_offered_on" in errors_by_field(response)["harmed_parties.0"]


def test_at_least_one_harmed_party_is_needed(partner: Partner) -> None:
    response = partner.send(referral_body(harmed_parties=[]))
    assert response.status_code == 422
    assert "harmed_parties" in errors_by_field(response)


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'"text"', b"null"])
def test_a_body_that_is_not_a_json_object_is_refused_as_json(partner: Partner, body: bytes) -> None:
    response = partner.send(body)
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]
    assert Referral.objects.count() == 0


# --- 413 ------------------------------------------------------------------------------------


def test_a_body_over_256_kb_is_refused_with_json(partner: Partner) -> None:
    body = referral_body(summary="x" * (300 * 1024))
    response = partner.send(body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "256 KB" in response.json()["errors"][0]["message"]
    assert Referral.objects.count() == 0


def test_a_body_over_the_site_limit_still_gets_the_api_json_413(partner: Partner) -> None:
    response = partner.send(referral_body(summary="x" * (2 * 1024 * 1024)))
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == ""


# --- 429 ------------------------------------------------------------------------------------


@override_settings(MEND_API_RATE_LIMIT_PER_MINUTE=3)
def test_past_the_rate_limit_requests_get_429_with_retry_after(partner: Partner) -> None:
    # Twenty seconds into a minute: the window has forty seconds left.
    moment = datetime(2026, 3, 2, 10, 15, 20, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        for _ in range(3):
            assert partner.get("/api/v1/offence-categories").status_code == 200
        refused = partner.get("/api/v1/offence-categories")
        again = partner.get("/api/v1/referrals")

    assert refused.status_code == again.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused.json()["errors"][0]["message"].startswith("Too many requests")
    # One audit row per key and minute, however many requests were refused.
    assert AuditEvent.objects.filter(action="api.rate_limited").count() == 1

    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        assert partner.get("/api/v1/offence-categories").status_code == 200
    # The new minute replaced the old one's count.
    assert ApiRateWindow.objects.filter(api_key=partner.key).count() == 1


@override_settings(MEND_API_RATE_LIMIT_PER_MINUTE=2)
def test_each_key_has_its_own_limit(world: World, partner: Partner) -> None:
    other = make_partner(world)
    moment = datetime(2026, 3, 2, 10, 15, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        for _ in range(2):
            partner.get("/api/v1/offence-categories")
        assert partner.get("/api/v1/offence-categories").status_code == 429
        assert other.get("/api/v1/offence-categories").status_code == 200


# --- Reading --------------------------------------------------------------------------------


def test_offence_categories_list_the_programs_active_codes(world: World, partner: Partner) -> None:
    world.program.offence_categories.filter(code="fraud").update(is_active=False)

    response = partner.get("/api/v1/offence-categories")

    assert response.status_code == 200
    categories = {c["code"]: c for c in response.json()}
    assert categories["theft"] == {
        "code": "theft",
        "label": "Theft or shoplifting",
        "handling": "eligible",
    }
    assert categories["domestic_abuse"]["handling"] == "specialist_only"
    assert categories["sexual_offence"]["handling"] == "excluded"
    assert "fraud" not in categories
    assert set(categories) == set(
        world.program.offence_categories.filter(is_active=True).values_list("code", flat=True)
    )


def test_a_referral_reads_back_with_its_status(partner: Partner) -> None:
    created = partner.send(referral_body()).json()

    response = partner.get(f"/api/v1/referrals/{created['id']}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == created["id"]
    assert body["reference"] == created["reference"]
    assert body["status"] == "received"
    assert body["outcome"] is None
    assert body["updated_at"]
    assert AuditEvent.objects.filter(
        action="api.referral.read", object_id=str(created["id"])
    ).exists()


def test_listing_pages_with_a_cursor_and_filters_by_updated_since(partner: Partner) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ids = []
    for minute in range(5):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            body = referral_body(incident_reference=f"RPD/{minute}")
            ids.append(partner.send(body).json()["id"])

    with time_machine.travel(start + timedelta(hours=1)):
        first = partner.get("/api/v1/referrals", limit=2).json()
        second = partner.get("/api/v1/referrals", limit=2, cursor=first["next_cursor"]).json()
        third = partner.get("/api/v1/referrals", limit=2, cursor=second["next_cursor"]).json()
        since = partner.get("/api/v1/referrals", updated_since="2026-03-02T09:03:00Z").json()
        # A '+' that URL decoding turned into a space still reads as a zone offset.
        since_offset = partner.client.get(
            "/api/v1/referrals?updated_since=2026-03-02T10:03:00+01:00",
            headers=partner.headers(),
        ).json()

    assert [item["id"] for item in first["items"]] == ids[:2]
    assert [item["id"] for item in second["items"]] == ids[2:4]
    assert [item["id"] for item in third["items"]] == ids[4:]
    assert third["next_cursor"] is None
    assert [item["id"] for item in since["items"]] == ids[3:]
    assert since["next_cursor"] is None
    assert [item["id"] for item in since_offset["items"]] == ids[3:]
    assert AuditEvent.objects.filter(action="api.referral.listed").count() == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-03-02"}, "updated_since"),
        ({"updated_since": "2026-03-02T09:00:00"}, "updated_since"),
        ({"updated_since": "1700000000"}, "updated_since"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
    ],
)
def test_bad_list_parameters_are_422(partner: Partner, params: dict[str, str], field: str) -> None:
    response = partner.get("/api/v1/referrals", **params)
    assert response.status_code == 422
    assert field in errors_by_field(response)


@pytest.mark.parametrize("referral_id", ["0", "-1", "99999999999999999999", "abc"])
def test_impossible_ids_are_refused_without_a_server_error(
    partner: Partner, referral_id: str
) -> None:
    response = partner.get(f"/api/v1/referrals/{referral_id}")
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith("application/json")


def test_api_responses_are_never_cached(partner: Partner) -> None:
    response = partner.get("/api/v1/offence-categories")
    assert "no-store" in response["Cache-Control"]


def test_the_last_use_of_a_key_is_recorded(partner: Partner) -> None:
    assert partner.key.last_used_at is None
    partner.get("/api/v1/offence-categories")
    partner.key.refresh_from_db()
    assert partner.key.last_used_at is not None


def test_a_retry_after_a_refused_body_may_reuse_the_key(partner: Partner) -> None:
    refused = partner.send(referral_body(offence_category="nope"), idempotency_key="fix-and-retry")
    accepted = partner.send(referral_body(), idempotency_key="fix-and-retry")
    assert refused.status_code == 422
    assert accepted.status_code == 201


def test_an_unknown_query_parameter_is_refused(partner: Partner) -> None:
    response = partner.get("/api/v1/referrals", updated_sinse="2026-01-01T00:00:00Z")
    assert response.status_code == 422
    assert errors_by_field(response) == {"updated_sinse": "Unknown query parameter."}


def test_a_bug_answers_a_bare_json_500(db: None) -> None:
    from django.test import RequestFactory

    from mend.api.api import api

    request = RequestFactory().get("/api/v1/referrals")
    response = api.on_exception(request, RuntimeError("secret detail in a traceback"))

    assert response.status_code == 500
    assert json.loads(response.content) == {"errors": [{"field": "", "message": "Internal error"}]}


def test_the_published_choices_match_the_models() -> None:
    from typing import get_args

    from mend.api.schemas import FollowStatus, Handling
    from mend.programs.models import OffenceCategory

    assert list(get_args(FollowStatus)) == Referral.FollowStatus.values
    assert list(get_args(Handling)) == OffenceCategory.Handling.values

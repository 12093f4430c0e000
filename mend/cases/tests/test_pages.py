"""Referral intake, the case list and page, and actions, as people use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, Note, Person, Referral
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.testing.cases import (
    CANARY_ADDRESS,
    CANARY_EMAIL,
    CANARY_PHONE,
    parties,
    screen,
    submit,
    to_stage,
)
from mend.testing.personas import World

Clients = Callable[[str], Client]


def referral_post(world: World, **overrides: Any) -> dict[str, Any]:
    data = {
        "referrer_name": "PC Jones",
        "incident_reference": "CR/99/1",
        "incident_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "offence_category": world.program.offence_categories.get(code="criminal_damage").pk,
        "justice_stage": "pre_charge",
        "summary": "Graffiti on the community centre.",
        "submission": new_token(),
        "harmed-TOTAL_FORMS": "1",
        "harmed-INITIAL_FORMS": "0",
        "harmed-0-given_name": "Ada",
        "harmed-0-family_name": "Lovelace",
        "harmed-0-date_of_birth": "1975-12-10",
        "harmed-0-phone": CANARY_PHONE,
        "responsible-TOTAL_FORMS": "1",
        "responsible-INITIAL_FORMS": "0",
        "responsible-0-given_name": "Tom",
        "responsible-0-family_name": "Tagger",
        "responsible-0-admits_responsibility": "yes",
    }
    data.update(overrides)
    return data


def test_referrer_submits_a_referral_and_follows_its_status(
    world: World, client_for: Clients
) -> None:
    client = client_for("referrer")
    response = client.post(reverse("cases:new_referral"), referral_post(world))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.agency == world.police  # a referrer refers for their own agency
    assert referral.submitted_by == world["referrer"]
    assert referral.case.stage == Stage.REFERRAL
    page = client.get(response["Location"]).content.decode()
    assert "Received" in page
    assert referral.case.reference in page


def test_referral_with_bad_input_shows_field_messages_and_saves_nothing(
    world: World, client_for: Clients
) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for("referrer").post(
        reverse("cases:new_referral"),
        referral_post(
            world,
            incident_date=tomorrow,
            offence_category="999999",
            **{"harmed-0-given_name": "", "harmed-0-email": "not-an-email"},
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This date is in the future." in body
    assert 'id="id_offence_category_error"' in body
    assert 'id="id_harmed-0-given_name_error"' in body
    assert 'id="id_harmed-0-email_error"' in body
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_referral_without_any_harmed_party_is_refused(world: World, client_for: Clients) -> None:
    data = referral_post(world)
    for key in [k for k in data if k.startswith("harmed-0-")]:
        data[key] = ""
    response = client_for("coordinator").post(reverse("cases:new_referral"), data)
    assert response.status_code == 400
    assert "Name at least one harmed party." in response.content.decode()
    assert not Referral.objects.exists()


def test_add_another_person_shows_one_more_blank_form_and_saves_nothing(
    world: World, client_for: Clients
) -> None:
    response = client_for("coordinator").post(
        reverse("cases:new_referral"), referral_post(world, add="harmed")
    )
    assert response.status_code == 200
    assert 'name="harmed-1-given_name"' in response.content.decode()
    assert not Referral.objects.exists()


def test_a_known_person_is_offered_for_linking_instead_of_a_duplicate(
    world: World, client_for: Clients
) -> None:
    client = client_for("coordinator")
    client.post(reverse("cases:new_referral"), referral_post(world))
    assert Person.objects.filter(family_name="Lovelace").count() == 1
    first = client.post(reverse("cases:new_referral"), referral_post(world))
    assert first.status_code == 200
    body = first.content.decode()
    assert "already known to the program" in body
    existing = Person.objects.get(family_name="Lovelace")
    second = client.post(
        reverse("cases:new_referral"),
        referral_post(world, duplicates_checked="1", **{"harmed-0-link_to": str(existing.pk)}),
    )
    assert second.status_code == 302
    assert Person.objects.filter(family_name="Lovelace").count() == 1
    assert existing.participations.count() == 2


def test_referrer_sees_only_status_and_outcome_category(world: World, client_for: Clients) -> None:
    case = screen(world, submit(world))
    services.add_note(case=case, body="NOTE-CANARY", by=world["coordinator"], expected_version=None)
    services.decline_referral(
        case=case,
        reason="not_willing",
        note="DECISION-CANARY",
        by=world["coordinator"],
        expected_version=None,
    )
    client = client_for("referrer")
    page = client.get(reverse("cases:referral_detail", args=[case.referral_id])).content.decode()
    assert "Declined" in page
    assert "A party is not willing" in page
    for secret in ("NOTE-CANARY", "DECISION-CANARY", CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS):
        assert secret not in page
    listing = client.get(reverse("cases:referral_list")).content.decode()
    assert case.reference in listing
    assert "DECISION-CANARY" not in listing
    assert client.get(case.get_absolute_url()).status_code == 404


def test_referrer_of_another_agency_does_not_see_the_referral(world: World) -> None:
    from mend.programs import services as program_services
    from mend.programs.models import Agency
    from mend.testing.personas import make_user

    schools = program_services.add_agency(
        program=world.program, name="Schools", kind=Agency.Kind.SCHOOL, by=None
    )
    teacher = make_user("teacher")
    program_services.grant_membership(
        user=teacher, program=world.program, role="referrer", agency=schools, by=None
    )
    case = submit(world)
    client = Client()
    client.force_login(teacher)
    assert client.get(reverse("cases:referral_detail", args=[case.referral_id])).status_code == 404
    assert case.reference not in client.get(reverse("cases:referral_list")).content.decode()


def test_facilitators_see_only_their_cases_and_volunteers_only_assigned_ones(
    world: World, client_for: Clients
) -> None:
    mine = screen(world, submit(world))  # the facilitator leads it
    other = submit(world)
    for persona in ("facilitator",):
        listing = client_for(persona).get(reverse("cases:list")).content.decode()
        assert mine.reference in listing
        assert other.reference not in listing
        assert client_for(persona).get(other.get_absolute_url()).status_code == 404
    volunteer = client_for("volunteer")
    assert volunteer.get(mine.get_absolute_url()).status_code == 404
    services.assign_team(
        case=mine,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    assert volunteer.get(mine.get_absolute_url()).status_code == 200


def test_every_view_of_a_case_is_recorded_and_coordinators_see_who_looked(
    world: World, client_for: Clients
) -> None:
    case = screen(world, submit(world))
    client_for("facilitator").get(case.get_absolute_url())
    client_for("facilitator").get(case.get_absolute_url())
    assert AuditEvent.objects.filter(action="case.viewed", object_id=str(case.pk)).count() == 2
    page = client_for("coordinator").get(reverse("cases:access", args=[case.reference]))
    assert page.status_code == 200
    assert page.content.decode().count(">facilitator<") == 2


def test_restricted_notes_are_hidden_from_co_facilitators_and_volunteers(
    world: World, client_for: Clients
) -> None:
    from mend.programs import services as program_services
    from mend.testing.personas import make_user

    co = make_user("cofac")
    program_services.grant_membership(user=co, program=world.program, role="facilitator", by=None)
    case = screen(world, submit(world))
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[co],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    services.add_note(
        case=case,
        body="RESTRICTED-CANARY",
        restricted=True,
        by=world["facilitator"],
        expected_version=None,
    )
    services.add_note(case=case, body="open note", by=world["facilitator"], expected_version=None)
    for persona, sees in [("coordinator", True), ("facilitator", True), ("volunteer", False)]:
        page = client_for(persona).get(case.get_absolute_url()).content.decode()
        assert ("RESTRICTED-CANARY" in page) is sees, persona
        assert "open note" in page
    client = Client()
    client.force_login(co)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "RESTRICTED-CANARY" not in page


def test_blocking_panel_explains_and_the_move_is_refused_with_the_same_sentence(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    client = client_for("facilitator")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "What blocks the next step" in page
    assert "has not been asked for consent to be contacted." in page
    response = client.post(
        reverse("cases:action", args=[case.reference, "forward"]),
        {"version": case.version, "submission": new_token(), "reason": ""},
    )
    assert response.status_code == 409
    assert "has not been asked for consent to be contacted." in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_a_form_opened_before_someone_elses_change_is_refused(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    stale = case.version
    services.add_note(case=case, body="x", by=world["coordinator"], expected_version=None)
    services.choose_process(
        case=case, process="conference", by=world["coordinator"], expected_version=None
    )
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "close"]),
        {"version": stale, "submission": new_token(), "outcome": "unable_to_contact", "reason": ""},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Since you opened this form:" in body
    assert "chose Restorative conference as the process" in body
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_actions_not_allowed_now_are_not_offered_and_are_refused(
    world: World, client_for: Clients
) -> None:
    case = submit(world)
    client = client_for("coordinator")
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:action", args=[case.reference, "screen"]) in page
    assert reverse("cases:action", args=[case.reference, "close"]) not in page
    response = client.post(
        reverse("cases:action", args=[case.reference, "close"]),
        {"version": case.version, "submission": new_token(), "outcome": "unable_to_contact"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_volunteers_can_add_notes_but_not_move_cases(world: World, client_for: Clients) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    case.refresh_from_db()
    client = client_for("volunteer")
    ok = client.post(
        reverse("cases:action", args=[case.reference, "note"]),
        {"version": case.version, "submission": new_token(), "body": "Called, left a message."},
    )
    assert ok.status_code == 302
    assert any(n.body == "Called, left a message." for n in Note.objects.filter(case=case))
    refused = client.post(
        reverse("cases:action", args=[case.reference, "close"]),
        {"version": case.version, "submission": new_token(), "outcome": "unable_to_contact"},
    )
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_encrypted_contact_details_hold_no_plaintext_in_the_database(world: World) -> None:
    case = submit(world)
    person = parties(case)[0].person
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email, address FROM cases_person WHERE id = %s", [person.pk])
        raw = " ".join(cursor.fetchone())
        cursor.execute("SELECT summary FROM cases_referral WHERE id = %s", [case.referral_id])
        summary = cursor.fetchone()[0]
    for canary in (CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS):
        assert canary not in raw
    assert "bicycle" not in summary
    person.refresh_from_db()
    assert person.phone == CANARY_PHONE


def make_cases(world: World, count: int) -> None:
    for _ in range(count):
        case = submit(world, harmed=2)
        services.assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[],
            by=world["coordinator"],
            expected_version=None,
        )


def _queries(client: Client, url: str, django_assert_max_num_queries: Any) -> int:
    client.get(url)  # warm the session
    with django_assert_max_num_queries(100) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["coordinator", "facilitator"])
def test_case_list_query_count_is_the_same_for_10_and_200_cases(
    world: World, client_for: Clients, django_assert_max_num_queries: Any, persona: str
) -> None:
    client = client_for(persona)
    make_cases(world, 10)
    few = _queries(client, reverse("cases:list"), django_assert_max_num_queries)
    make_cases(world, 190)
    many = _queries(client, reverse("cases:list"), django_assert_max_num_queries)
    assert many == few


def test_case_page_query_count_does_not_grow_with_the_case(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    client = client_for("coordinator")
    few = _queries(client, case.get_absolute_url(), django_assert_max_num_queries)
    for i in range(30):
        services.add_note(
            case=case, body=f"note {i}", by=world["facilitator"], expected_version=None
        )
        services.add_participant(
            case=case,
            party=services.PartyDetails(given_name=f"C{i}", family_name="Member"),
            role="community",
            by=world["facilitator"],
            expected_version=None,
        )
    many = _queries(client, case.get_absolute_url(), django_assert_max_num_queries)
    assert many == few


def test_search_finds_cases_by_reference_and_participant_name(
    world: World, client_for: Clients
) -> None:
    first = submit(world)
    second = submit(world)
    client = client_for("coordinator")
    body = client.get(reverse("cases:list"), {"q": "Hana0"}).content.decode()
    assert first.reference in body and second.reference in body
    body = client.get(reverse("cases:list"), {"q": second.reference}).content.decode()
    assert second.reference in body and first.reference not in body
    bad = client.get(reverse("cases:list"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 400


def test_filters_by_stage_facilitator_and_category(world: World, client_for: Clients) -> None:
    screened = screen(world, submit(world, category="assault"))
    fresh = submit(world)
    client = client_for("coordinator")
    body = client.get(reverse("cases:list"), {"stage": "screening"}).content.decode()
    assert screened.reference in body and fresh.reference not in body
    body = client.get(
        reverse("cases:list"), {"facilitator": world["facilitator"].pk}
    ).content.decode()
    assert screened.reference in body and fresh.reference not in body
    category = world.program.offence_categories.get(code="assault").pk
    body = client.get(reverse("cases:list"), {"offence_category": category}).content.decode()
    assert screened.reference in body and fresh.reference not in body


def test_minor_without_a_date_of_birth_is_not_treated_as_a_minor(world: World) -> None:
    case = submit(world, harmed_born=date(2015, 1, 1))
    assert parties(case)[0].person.is_minor
    assert Case.objects.count() == 1


def test_case_page_warns_when_an_assessment_expires_during_the_process(
    world: World, client_for: Clients
) -> None:
    import time_machine

    case = to_stage(world, submit(world), Stage.PROCESS)
    assert (
        "no longer hold"
        not in client_for("facilitator").get(case.get_absolute_url()).content.decode()
    )
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "The conditions for contact no longer hold" in page
    assert "has no current safety assessment" in page


def test_contact_details_show_to_the_case_workers_only(world: World, client_for: Clients) -> None:
    case = screen(world, submit(world))
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    assert CANARY_PHONE in client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert CANARY_PHONE in client_for("coordinator").get(case.get_absolute_url()).content.decode()
    assert CANARY_PHONE not in client_for("volunteer").get(case.get_absolute_url()).content.decode()

"""What a newcomer meets on the case pages: every panel reaches its rows, lists sort and page,
the referrer follows and adds to what they sent, the volunteer reaches who they contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mend.cases import services
from mend.cases.models import Participant, ReferralMessage
from mend.cases.stages import Stage
from mend.cases.tests.test_dashboard import panel
from mend.cases.tests.test_pages import referral_post
from mend.core.models import AuditEvent
from mend.programs.models import ConsentPurpose
from mend.testing.cases import (
    CANARY_ADDRESS,
    CANARY_PHONE,
    consent_all,
    parties,
    submit,
    to_stage,
)
from mend.testing.forms import sent
from mend.testing.personas import World

Clients = Callable[[str], Client]


def listed(client: Client, query: dict[str, Any]) -> str:
    response = client.get(reverse("cases:list"), query)
    assert response.status_code == 200
    return response.content.decode()


# --- Every dashboard panel reaches all its rows -------------------------------------------


@pytest.mark.parametrize(
    ("key", "stage"),
    [("offers_due", Stage.REFERRAL), ("consents", Stage.CONTACT), ("to_screen", Stage.REFERRAL)],
)
def test_every_dashboard_panel_has_a_see_all_that_lists_all_its_cases(
    world: World, client_for: Clients, key: str, stage: str
) -> None:
    cases = [to_stage(world, submit(world), stage) for _ in range(12)]
    if key == "to_screen":
        # Received and being screened alike: the panel counts both, so must its list.
        cases += [to_stage(world, submit(world), Stage.SCREENING) for _ in range(3)]
    client = client_for("coordinator")
    body = panel(client, key)
    assert f"See all {len(cases)}" in body  # cases, not people
    href = body.split('<p><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    everything = client.get(href).content.decode()
    assert f"{len(cases)} cases" in everything
    assert all(case.reference in everything or "Page 1" in everything for case in cases[:10])


def test_a_volunteers_see_all_of_their_cases_works(world: World, client_for: Clients) -> None:
    for _ in range(12):
        case = submit(world)
        services.assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[world["volunteer"]],
            by=world["coordinator"],
            expected_version=None,
        )
    client = client_for("volunteer")
    body = panel(client, "my_cases")
    href = body.split('<p><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    response = client.get(href)
    assert response.status_code == 200
    assert "12 cases" in response.content.decode()


# --- The case list: numbered pages and sorting ----------------------------------------------


def test_the_case_list_has_page_numbers_and_sorts_by_its_columns(
    world: World, client_for: Clients
) -> None:
    cases = [submit(world) for _ in range(30)]
    client = client_for("coordinator")
    first = listed(client, {})
    assert 'aria-label="Page 2"' in first
    assert cases[-1].reference in first  # newest first by default
    oldest_first = listed(client, {"sort": "reference"})
    assert oldest_first.index(cases[0].reference) < oldest_first.index(cases[1].reference)
    assert cases[-1].reference not in oldest_first  # on page 2 now
    assert 'aria-sort="ascending"' in oldest_first
    page_two = listed(client, {"sort": "reference", "page": 2})
    assert cases[-1].reference in page_two
    assert listed(client, {"sort": "nonsense"})  # ignored, not a 500


def test_the_case_list_filters_by_what_needs_doing(world: World, client_for: Clients) -> None:
    waiting = to_stage(world, submit(world), Stage.CONTACT)
    done = to_stage(world, submit(world), Stage.CONTACT)
    consent_all(world, done, ConsentPurpose.CONTACT)
    body = listed(client_for("coordinator"), {"needs": "consent"})
    assert waiting.reference in body
    assert done.reference not in body


# --- The referrer ---------------------------------------------------------------------------


def test_the_referrer_sees_what_they_sent_who_handles_it_and_nothing_the_program_added(
    world: World, client_for: Clients
) -> None:
    client = client_for("referrer")
    client.post(reverse("cases:new_referral"), referral_post(world))
    case = to_stage(world, parties_case(world), Stage.CONTACT)
    services.add_participant(
        case=case,
        party=services.PartyDetails(given_name="Added", family_name="ByProgram"),
        role=Participant.Role.SUPPORTER,
        supports=parties(case, Participant.Role.HARMED)[0],
        by=world["facilitator"],
        expected_version=None,
    )
    page = client.get(reverse("cases:referral_detail", args=[case.referral_id])).content.decode()
    assert "Graffiti on the community centre." in page
    assert "Ada Lovelace" in page and "Tom Tagger" in page
    assert "Added ByProgram" not in page
    assert "Facilitator" in page  # who handles it
    assert CANARY_PHONE not in page and CANARY_ADDRESS not in page


def parties_case(world: World) -> Any:
    from mend.cases.models import Case

    return Case.objects.order_by("-pk").first()


def test_the_referrer_adds_information_that_staff_see_on_the_case(
    world: World, client_for: Clients
) -> None:
    case = submit(world)
    client = client_for("referrer")
    url = reverse("cases:referral_message", args=[case.referral_id])
    form = {"body": "The harmed party has a new phone number: ask me.", "submission": "x" * 24}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # sent twice, kept once
    assert ReferralMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="referral.information_added").count() == 1
    page = client.get(reverse("cases:referral_detail", args=[case.referral_id])).content.decode()
    assert "ask me" in page
    staff = client_for("coordinator").get(case.get_absolute_url()).content.decode()
    assert "The referrer added information" in staff and "ask me" in staff
    assert client.post(url, {"body": "  ", "submission": "y" * 24}).status_code == 400


def test_my_referrals_shows_mine_by_default_and_my_agencys_as_a_choice(
    world: World, client_for: Clients
) -> None:
    from mend.programs import services as program_services
    from mend.testing.personas import make_user

    colleague = make_user("colleague")
    program_services.grant_membership(
        user=colleague, program=world.program, role="referrer", agency=world.police, by=None
    )
    mine = submit(world)
    theirs = submit(world, by=colleague)
    client = client_for("referrer")
    body = client.get(reverse("cases:referral_list")).content.decode()
    assert mine.reference in body and theirs.reference not in body
    body = client.get(reverse("cases:referral_list"), {"whose": "agency"}).content.decode()
    assert mine.reference in body and theirs.reference in body


def test_my_referrals_is_searchable_by_incident_reference_with_the_rows_status_words(
    world: World, client_for: Clients
) -> None:
    client = client_for("referrer")
    client.post(reverse("cases:new_referral"), referral_post(world, incident_reference="AB/1"))
    client.post(reverse("cases:new_referral"), referral_post(world, incident_reference="ZZ/9"))
    found = client.get(reverse("cases:referral_list"), {"q": "zz/"}).content.decode()
    assert "ZZ/9" in found and "AB/1" not in found
    case = to_stage(world, parties_case(world), Stage.PROCESS)
    body = client.get(reverse("cases:referral_list"), {"status": "in_progress"}).content.decode()
    assert case.referral.incident_reference in body
    assert "Restorative process under way" in body  # the filter's words are the rows' words


# --- The volunteer ----------------------------------------------------------------------------


def test_a_volunteer_asked_to_make_contact_sees_the_contact_details_they_need(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    harmed = parties(case, Participant.Role.HARMED)[0]
    volunteer = client_for("volunteer")
    assert CANARY_PHONE not in volunteer.get(case.get_absolute_url()).content.decode()
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "contact_by"])
    response = client_for("coordinator").post(
        f"{url}?participant={harmed.pk}", sent(case, volunteer=world["volunteer"].pk)
    )
    assert response.status_code == 302
    page = volunteer.get(case.get_absolute_url()).content.decode()
    assert CANARY_PHONE in page
    # They record their calls from the person's card.
    contact = reverse("cases:action", args=[case.reference, "contact"])
    assert f"{contact}?participant={harmed.pk}" in page
    case.refresh_from_db()
    done = volunteer.post(
        f"{contact}?participant={harmed.pk}",
        sent(case, channel="call", contact_outcome="reached", body="Spoke; will think."),
    )
    assert done.status_code == 302
    assert case.notes.filter(kind="contact", author=world["volunteer"]).exists()
    # Once the person declines to be contacted, the volunteer no longer sees how.
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.CONTACT,
        decision="declined",
        method="verbal",
        decided_on=date.today(),
        by=world["coordinator"],
        expected_version=None,
    )
    assert CANARY_PHONE not in volunteer.get(case.get_absolute_url()).content.decode()


# --- Times ------------------------------------------------------------------------------------


def test_case_pages_show_times_on_the_programs_clock(world: World, client_for: Clients) -> None:
    from datetime import UTC, datetime

    from mend.cases.models import StageChange

    case = submit(world)
    StageChange.objects.filter(case=case).update(
        created_at=datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    )
    world.program.time_zone = "America/Denver"
    world.program.save(update_fields=["time_zone"])
    page = client_for("coordinator").get(case.get_absolute_url()).content.decode()
    assert "1 Jul 2026, 12:30" in page  # 18:30 UTC is 12:30 in Denver in summer
    assert "1 Jul 2026, 18:30" not in page

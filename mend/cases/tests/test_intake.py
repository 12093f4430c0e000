"""Taking a referral: who is told what, matching people the program knows, and bad input."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from mend.cases import services
from mend.cases.models import Participant, Person, Referral
from mend.cases.stages import Stage
from mend.cases.tests.test_pages import referral_post
from mend.core.submissions import new_token
from mend.testing.cases import parties, submit
from mend.testing.forms import sent
from mend.testing.personas import World, build_world

Clients = Callable[[str], Client]


def test_a_referrer_is_never_told_who_is_known_to_the_program(
    world: World, client_for: Clients
) -> None:
    # Someone the program knows from a case another agency referred.
    other = submit(world, by=world["coordinator"])
    known = parties(other, Participant.Role.HARMED)[0].person
    client = client_for("referrer")
    response = client.post(
        reverse("cases:new_referral"),
        referral_post(
            world,
            **{
                "harmed-0-given_name": known.given_name,
                "harmed-0-family_name": known.family_name,
                "harmed-0-date_of_birth": known.date_of_birth.isoformat(),
            },
        ),
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "already known" not in body
    referral = Referral.objects.exclude(pk=other.referral_id).get()
    # A new record: matching belongs to the screening staff.
    assert referral.case.participants.get(role="harmed").person != known


def test_the_referral_form_never_offers_a_referrer_a_match(
    world: World, client_for: Clients
) -> None:
    submit(world, by=world["coordinator"])
    data = referral_post(
        world, **{"harmed-0-given_name": "Hana0", "harmed-0-family_name": "Harmed"}
    )
    data["harmed-0-date_of_birth"] = "1980-05-01"
    data["incident_date"] = "not a date"  # keep the form on screen
    body = client_for("referrer").post(reverse("cases:new_referral"), data).content.decode()
    assert "already known" not in body
    assert "link_to" not in body


def test_screening_staff_link_a_referred_person_to_the_record_the_program_has(
    world: World, client_for: Clients
) -> None:
    first = submit(world, by=world["coordinator"])
    known = parties(first, Participant.Role.HARMED)[0].person
    case = submit(world)  # the same names, sent by the officer
    services.move_case(
        case=case, to=Stage.SCREENING, by=world["coordinator"], expected_version=None
    )
    case.refresh_from_db()
    harmed = parties(case, Participant.Role.HARMED)[0]
    duplicate = harmed.person
    client = client_for("coordinator")
    page = client.get(case.get_absolute_url()).content.decode()
    link = reverse("cases:action", args=[case.reference, "link"]) + f"?participant={harmed.pk}"
    assert link.replace("&", "&amp;") in page
    response = client.post(link, sent(case, person=known.pk))
    assert response.status_code == 302
    harmed.refresh_from_db()
    assert harmed.person == known
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert known.participations.count() == 2


def test_coordinators_taking_a_referral_for_a_caller_start_from_empty_referrer_fields(
    world: World, client_for: Clients
) -> None:
    page = client_for("coordinator").get(reverse("cases:new_referral")).content.decode()
    assert 'value="Coordinator"' not in page


def test_a_referrers_phone_and_badge_are_remembered_for_the_next_referral(
    world: World, client_for: Clients
) -> None:
    client = client_for("referrer")
    client.post(
        reverse("cases:new_referral"),
        referral_post(world, referrer_phone="555-0142", referrer_staff_id="DCPD-4471"),
    )
    page = client.get(reverse("cases:new_referral")).content.decode()
    assert 'value="555-0142"' in page
    assert 'value="DCPD-4471"' in page
    assert 'value="Referrer"' in page  # their own name


def test_adding_another_person_keeps_what_was_typed_and_marks_nothing_as_wrong(
    world: World, client_for: Clients
) -> None:
    # Half-filled: no incident reference yet, the first harmed party named by given name only.
    data = referral_post(world, incident_reference="", **{"harmed-0-family_name": ""})
    response = client_for("coordinator").post(
        reverse("cases:new_referral"), {**data, "add": "harmed"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="harmed-2"' in page
    assert 'value="Ada"' in page
    assert "This field is required." not in page
    assert "usa-input--error" not in page
    assert not Referral.objects.filter(program=world.program).exists()


def test_the_responsible_party_section_says_it_is_optional(
    world: World, client_for: Clients
) -> None:
    page = client_for("referrer").get(reverse("cases:new_referral")).content.decode()
    assert "Responsible parties (optional)" in page
    data = referral_post(world, **{"responsible-0-given_name": "", "responsible-0-family_name": ""})
    data["responsible-0-admits_responsibility"] = ""
    response = client_for("referrer").post(reverse("cases:new_referral"), data)
    assert response.status_code == 302


def test_a_tampered_formset_count_is_answered_in_the_readers_words(
    world: World, client_for: Clients
) -> None:
    data = referral_post(world, **{"harmed-INITIAL_FORMS": "abc"})
    response = client_for("referrer").post(reverse("cases:new_referral"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "file a bug report" not in page
    assert "Reload the page and enter the people again." in page
    assert not Referral.objects.filter(program=world.program).exists()


class TestFormsetCounts(HypothesisTestCase):
    """Anyone who can refer can send any count in the formset's management fields."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        total=st.one_of(
            st.text(max_size=12),
            st.integers(min_value=-5, max_value=10**12).map(str),
            st.sampled_from(["", " 3", "1e3", "0x10", "٣", "9" * 40]),
        ),
        initial=st.one_of(st.text(max_size=6), st.integers(-3, 1000).map(str)),
        add=st.sampled_from(["", "harmed", "responsible"]),
    )
    def test_any_formset_count_gets_a_page_never_a_500(
        self, total: str, initial: str, add: str
    ) -> None:
        client = Client()
        client.force_login(self.world["referrer"])
        data = referral_post(self.world, submission=new_token())
        data["harmed-TOTAL_FORMS"] = total
        data["harmed-INITIAL_FORMS"] = initial
        data["responsible-TOTAL_FORMS"] = total
        if add:
            data["add"] = add
        before = Referral.objects.count()
        response = client.post(reverse("cases:new_referral"), data)
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert Referral.objects.count() == before

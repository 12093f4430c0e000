"""A person's language is stored as a code and named in the reader's language, on every
path that records it: the referral form, the partner API and the CSV import."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mend.api.tests.conftest import Partner, make_partner, referral_body
from mend.cases import services
from mend.cases.forms import PartyForm
from mend.cases.models import Person
from mend.core import languages
from mend.testing.cases import submit
from mend.testing.personas import World


@pytest.mark.parametrize(
    ("written", "code"),
    [("es", "es"), ("Spanish", "es"), ("español", "es"), ("Vietnamita", "vi"), ("Somali", "so")],
)
def test_a_language_given_by_its_code_or_its_name_in_english_or_spanish_is_one_code(
    written: str, code: str
) -> None:
    assert languages.code_for(written) == code


def test_a_language_mend_does_not_know_has_no_code() -> None:
    assert languages.code_for("Klingon") is None
    assert languages.code_for("  ") is None


def test_a_code_is_named_in_the_readers_language() -> None:
    with translation.override("es"):
        assert languages.language_name("vi") == "Vietnamita"
        assert languages.language_name("so") == "Somalí"
    with translation.override("en"):
        assert languages.language_name("ase") == "American Sign Language"


def test_a_language_written_before_codes_is_shown_as_it_was_written() -> None:
    assert languages.language_name("Old Norse") == "Old Norse"


def test_the_pages_speak_spanish_to_a_spanish_speaker_and_english_to_the_rest() -> None:
    assert languages.page_language("es") == "es"
    assert languages.page_language("es-MX") == "es"
    assert languages.page_language("vi") is None
    assert languages.page_language_or_default("vi") == "en"


def test_the_referral_form_offers_languages_by_name_and_keeps_the_code() -> None:
    form = PartyForm(data={"given_name": "Lan", "family_name": "Tran", "preferred_language": "vi"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["preferred_language"] == "vi"
    assert ("vi", "Vietnamese") in form.fields["preferred_language"].choices
    wrong = PartyForm(
        data={"given_name": "Lan", "family_name": "Tran", "preferred_language": "Viet"}
    )
    assert not wrong.is_valid()
    assert list(wrong.errors) == ["preferred_language"]


def test_the_case_page_names_the_language_in_the_readers_language(
    world: World, client_for: Callable[[str], Client]
) -> None:
    case = submit(world)
    Person.objects.filter(participations__case=case).update(preferred_language="vi")
    client = client_for("coordinator")
    page = client.get(reverse("cases:detail", args=[case.reference]))
    assert "Vietnamese" in page.content.decode()
    world["coordinator"].preferred_language = "es"
    world["coordinator"].save(update_fields=["preferred_language"])
    page = client.get(reverse("cases:detail", args=[case.reference]))
    assert "Vietnamita" in page.content.decode()


def test_a_language_not_in_the_list_is_refused_by_field_and_nothing_is_saved(
    world: World,
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.person_for(
            world.program,
            services.PartyDetails(given_name="Lan", family_name="Tran", preferred_language="xx"),
        )
    assert refused.value.message_dict == {
        "preferred_language": ["Choose a language from the list."]
    }
    assert not Person.objects.filter(given_name="Lan").exists()


@pytest.fixture
def partner(world: World) -> Partner:
    return make_partner(world)


def test_the_api_stores_a_language_name_as_its_code(partner: Partner) -> None:
    response = partner.send(referral_body())
    assert response.status_code == 201, response.content
    assert Person.objects.get(given_name="Hana").preferred_language == "en"


def test_the_api_refuses_a_language_it_does_not_know_on_that_field(partner: Partner) -> None:
    body = referral_body()
    body["harmed_parties"][0]["preferred_language"] = "Klingon"
    response = partner.send(body)
    assert response.status_code == 422
    assert "preferred_language" in response.content.decode()
    assert "language code" in response.content.decode()
    assert not Person.objects.filter(given_name="Hana").exists()


def test_names_written_before_codes_become_codes_and_the_rest_is_kept(world: World) -> None:
    from importlib import import_module

    migration = import_module("mend.cases.migrations.0004_preferred_language_as_code")
    for name in ("Spanish", "ASL", "Old Norse", ""):
        Person.objects.create(
            program=world.program, given_name=name or "Blank", family_name="X"
        ).__class__.objects.filter(given_name=name or "Blank").update(preferred_language=name)
    migration.names_to_codes(apps, None)
    stored = dict(
        Person.objects.filter(family_name="X").values_list("given_name", "preferred_language")
    )
    assert stored == {"Spanish": "es", "ASL": "ase", "Old Norse": "Old Norse", "Blank": ""}

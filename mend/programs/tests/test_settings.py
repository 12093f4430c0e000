"""Program settings: the services that change them, and the pages that call the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mend.core.models import AuditEvent
from mend.core.submissions import new_token
from mend.programs import services
from mend.programs.models import (
    ConsentPurpose,
    EligibilityCriterion,
    OffenceCategory,
    ProcessType,
    Program,
    RetentionRule,
)
from mend.testing.personas import World


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    # The messages are asserted in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


STALE = "Someone changed these settings since you opened this page"


def _reload(program: Program) -> Program:
    return Program.objects.get(pk=program.pk)


# Services


def test_changing_settings_bumps_the_version_and_audits_the_changed_fields(world: World) -> None:
    before = world.program.version
    saved = services.update_program_settings(
        program=world.program,
        by=world["program_admin"],
        expected_version=before,
        assessment_validity_days=45,
        contact_phone="0161 555 0100",
    )
    assert saved.version == before + 1
    assert _reload(world.program).assessment_validity_days == 45
    event = AuditEvent.objects.get(action="program.settings_changed")
    assert event.changed_fields == ["assessment_validity_days", "contact_phone"]
    assert event.actor == world["program_admin"]
    assert "0161" not in str(event.details)  # names of fields, never their values


def test_a_form_opened_on_an_older_version_saves_nothing(world: World) -> None:
    opened_on = world.program.version
    services.update_program_settings(
        program=world.program,
        by=world["coordinator"],
        expected_version=opened_on,
        time_zone="Europe/Madrid",
    )
    with pytest.raises(ValidationError, match=STALE):
        services.update_program_settings(
            program=world.program,
            by=world["program_admin"],
            expected_version=opened_on,
            assessment_validity_days=10,
        )
    program = _reload(world.program)
    assert program.assessment_validity_days == 90
    assert AuditEvent.objects.filter(action="program.settings_changed").count() == 1


def test_saving_the_same_values_changes_nothing_and_audits_nothing(world: World) -> None:
    before = world.program.version
    services.update_program_settings(
        program=world.program,
        by=world["program_admin"],
        expected_version=before,
        assessment_validity_days=world.program.assessment_validity_days,
    )
    assert _reload(world.program).version == before
    assert not AuditEvent.objects.filter(action="program.settings_changed").exists()


def test_a_process_cannot_be_offered_without_the_consents_it_needs(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_program_settings(
            program=world.program,
            by=world["program_admin"],
            expected_version=world.program.version,
            process_types=[ProcessType.PREPARATION, ProcessType.SHUTTLE],
            consent_purposes=[ConsentPurpose.CONTACT, ConsentPurpose.INDIRECT],
        )
    messages = refused.value.message_dict["consent_purposes"]
    assert messages == [
        "Shuttle mediation needs the consent “To share information with the other party”. "
        "Ask for it, or stop offering that process."
    ]
    assert _reload(world.program).process_types == list(ProcessType.values)


def test_to_be_contacted_is_always_asked(world: World) -> None:
    with pytest.raises(ValidationError, match="“To be contacted” is always asked"):
        services.update_program_settings(
            program=world.program,
            by=world["program_admin"],
            expected_version=None,
            process_types=[ProcessType.PREPARATION],
            consent_purposes=[ConsentPurpose.EVALUATION],
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("assessment_validity_days", 0),
        ("assessment_validity_days", 731),
        ("rj_offer_deadline_working_days", 61),
        ("languages", []),
        ("languages", ["fr"]),
        ("process_types", ["mediation", "mediation"]),
        ("time_zone", "Mars/Olympus"),
        ("contact_email", "not an address"),
    ],
)
def test_out_of_bounds_settings_are_refused(world: World, field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_program_settings(
            program=world.program, by=None, expected_version=None, **{field: value}
        )
    assert field in refused.value.message_dict


def test_an_added_category_gets_a_code_from_its_label_and_is_audited(world: World) -> None:
    before = world.program.version
    category = services.add_offence_category(
        program=world.program,
        by=world["program_admin"],
        expected_version=before,
        label="Online harm",
        label_es="Daño en línea",
        handling=OffenceCategory.Handling.SPECIALIST_ONLY,
    )
    assert category.code == "online_harm"
    again = services.add_offence_category(
        program=world.program,
        by=None,
        expected_version=None,
        label="Online harm (adults)",
        handling="eligible",
    )
    assert again.code == "online_harm_adults"
    assert _reload(world.program).version == before + 2
    assert AuditEvent.objects.filter(action="offence_category.created").count() == 2


def test_a_second_category_with_the_same_words_is_refused(world: World) -> None:
    existing = world.program.offence_categories.first()
    assert existing is not None
    with pytest.raises(ValidationError) as refused:
        services.add_offence_category(
            program=world.program,
            by=None,
            expected_version=None,
            label=f"  {existing.label.upper()} ",
            handling="eligible",
        )
    assert "label" in refused.value.message_dict
    criterion = world.program.eligibility_criteria.first()
    assert criterion is not None
    with pytest.raises(ValidationError):
        services.add_eligibility_criterion(
            program=world.program, by=None, expected_version=None, label=criterion.label
        )


def test_a_category_label_reads_in_the_readers_language(world: World) -> None:
    category = world.program.offence_categories.get(code="theft")
    with translation.override("es"):
        # A default label without its own Spanish reads from the catalogue.
        assert category.display_label == "Hurto, incluido el hurto en comercios"
    services.change_offence_category(
        category=category, by=None, expected_version=None, label_es="Hurto"
    )
    category.refresh_from_db()
    with translation.override("es"):
        assert category.display_label == "Hurto"
    with translation.override("en"):
        assert category.display_label == "Theft or shoplifting"


def test_deactivating_a_category_is_audited_and_the_last_one_in_use_stays(world: World) -> None:
    categories = list(world.program.offence_categories.all())
    for category in categories[:-1]:
        services.change_offence_category(
            category=category, by=world["program_admin"], expected_version=None, is_active=False
        )
    assert (
        AuditEvent.objects.filter(action="offence_category.deactivated").count()
        == len(categories) - 1
    )
    with pytest.raises(ValidationError) as refused:
        services.change_offence_category(
            category=categories[-1], by=None, expected_version=None, is_active=False
        )
    assert "is_active" in refused.value.message_dict
    assert OffenceCategory.objects.get(pk=categories[-1].pk).is_active


def test_a_stale_category_form_saves_nothing(world: World) -> None:
    category = world.program.offence_categories.get(code="theft")
    opened_on = world.program.version
    services.update_program_settings(
        program=world.program, by=None, expected_version=None, contact_phone="1"
    )
    with pytest.raises(ValidationError, match=STALE):
        services.change_offence_category(
            category=category, by=None, expected_version=opened_on, label="Stolen goods"
        )
    assert OffenceCategory.objects.get(pk=category.pk).label == "Theft or shoplifting"


def test_criteria_are_added_changed_and_deactivated_with_audit(world: World) -> None:
    criterion = services.add_eligibility_criterion(
        program=world.program,
        by=world["program_admin"],
        expected_version=None,
        label="Over ten years old",
    )
    services.change_eligibility_criterion(
        criterion=criterion,
        by=world["program_admin"],
        expected_version=None,
        label_es="Mayor de diez años",
    )
    services.change_eligibility_criterion(
        criterion=criterion, by=world["program_admin"], expected_version=None, is_active=False
    )
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(criterion.pk), object_type="programs.eligibilitycriterion"
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "eligibility_criterion.created",
        "eligibility_criterion.changed",
        "eligibility_criterion.deactivated",
    ]
    assert not EligibilityCriterion.objects.get(pk=criterion.pk).is_active


def test_retention_periods_have_bounds(world: World) -> None:
    services.update_retention(
        program=world.program,
        by=world["program_admin"],
        expected_version=None,
        months={"closed_case": 60},
    )
    assert world.program.retention_rules.get(category="closed_case").keep_for_months == 60
    assert AuditEvent.objects.get(action="retention.changed").changed_fields == ["closed_case"]
    with pytest.raises(ValidationError) as refused:
        services.update_retention(
            program=world.program, by=None, expected_version=None, months={"audit_trail": 601}
        )
    assert "audit_trail" in refused.value.message_dict
    assert (
        RetentionRule.objects.get(program=world.program, category="audit_trail").keep_for_months
        == 84
    )


# Pages


def send(client: Client, url: str, data: dict[str, object]) -> HttpResponse:
    """Post a settings form as a browser would: with the version and token it was opened on."""
    opened = client.get(url)
    hidden: dict[str, object] = {"submission": new_token()}
    if opened.status_code == 200:
        form = opened.context["form"]
        hidden = {name: form[name].value() for name in ("version", "submission")}
    return client.post(url, {**hidden, **data})  # type: ignore[return-value]


def test_the_administrator_changes_the_processes_with_checkboxes(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("program_admin")
    page = client.get(reverse("programs:edit_processes")).content.decode()
    assert 'type="checkbox" name="process_types" value="mediation"' in page
    response = send(
        client,
        reverse("programs:edit_processes"),
        {"process_types": ["mediation", "preparation"]},
    )
    assert response.status_code == 302
    # Stored in the list's own order, whatever order the browser sent.
    assert _reload(world.program).process_types == ["preparation", "mediation"]


def test_a_process_missing_its_consent_is_a_message_on_the_page_and_nothing_is_saved(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = send(
        client_for("program_admin"),
        reverse("programs:edit_purposes"),
        {
            "consent_purposes": ["contact", "indirect", "share_information"],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "need the consent “To meet face to face”" in body
    assert "Victim-offender mediation" in body
    assert _reload(world.program).consent_purposes == list(ConsentPurpose.values)


def test_a_stale_settings_form_says_so_and_saves_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("program_admin")
    opened = client.get(reverse("programs:edit_timing")).context["form"]
    services.update_program_settings(
        program=world.program, by=None, expected_version=None, contact_phone="1"
    )
    response = client.post(
        reverse("programs:edit_timing"),
        {
            "version": opened["version"].value(),
            "submission": opened["submission"].value(),
            "assessment_validity_days": "30",
            "rj_offer_deadline_working_days": "5",
            "reminder_days": "2",
        },
    )
    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert _reload(world.program).assessment_validity_days == 90


def test_a_settings_form_sent_twice_saves_once(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("program_admin")
    opened = client.get(reverse("programs:add_criterion")).context["form"]
    data = {
        "version": opened["version"].value(),
        "submission": opened["submission"].value(),
        "label": "Over ten years old",
    }
    first = client.post(reverse("programs:add_criterion"), data)
    second = client.post(reverse("programs:add_criterion"), data, follow=True)
    assert first.status_code == 302
    assert "This was already saved." in second.content.decode()
    assert world.program.eligibility_criteria.filter(label="Over ten years old").count() == 1


@pytest.mark.parametrize("value", ["0", "731", "ninety", ""])
def test_a_validity_outside_1_to_730_days_is_a_field_message(
    value: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = send(
        client_for("program_admin"),
        reverse("programs:edit_timing"),
        {
            "assessment_validity_days": value,
            "rj_offer_deadline_working_days": "5",
            "reminder_days": "2",
        },
    )
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 730." in response.content.decode()


def test_the_contact_details_reach_the_referrers_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from mend.testing.cases import submit

    case = submit(world)
    response = send(
        client_for("program_admin"),
        reverse("programs:edit_contact"),
        {
            "contact_phone": "+44 161 555 0100",
            "contact_email": "team@riverside.example",
        },
    )
    assert response.status_code == 302
    page = client_for("referrer").get(reverse("cases:referral_detail", args=[case.referral_id]))
    body = page.content.decode()
    assert "+44 161 555 0100" in body
    assert "mailto:team@riverside.example" in body


@pytest.mark.parametrize("persona", ["coordinator", "facilitator", "volunteer"])
def test_only_administrators_may_change_settings(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = send(client_for(persona), reverse("programs:edit_languages"), {"languages": ["en"]})
    assert response.status_code == 403
    assert _reload(world.program).languages == ["en", "es"]
    assert AuditEvent.objects.filter(action="access.denied", actor=world[persona]).exists()


def test_another_programs_category_is_a_404_and_unchanged(
    world: World, client_for: Callable[[str], Client]
) -> None:
    theirs = world.other_program.offence_categories.get(code="theft")
    response = send(
        client_for("program_admin"),
        reverse("programs:edit_category", args=[theirs.pk]),
        {
            "label": "Mine now",
            "handling": "eligible",
            "is_active": "on",
        },
    )
    assert response.status_code == 404
    assert OffenceCategory.objects.get(pk=theirs.pk).label == "Theft or shoplifting"


def test_a_new_category_in_spanish_shows_on_the_referral_form_to_a_spanish_reader(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("program_admin")
    response = send(
        client,
        reverse("programs:add_category"),
        {
            "label": "Online harm",
            "label_es": "Daño en línea",
            "handling": "eligible",
        },
    )
    assert response.status_code == 302
    referrer = client_for("referrer")
    referrer.post(reverse("accounts:set_language"), {"language": "es"})
    body = referrer.get(reverse("cases:new_referral")).content.decode()
    assert "Daño en línea" in body


def test_pages_that_read_the_lists_survive_bad_stored_values(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from mend.cases.stages import Stage
    from mend.testing.cases import submit, to_stage

    case = to_stage(world, submit(world), Stage.CONTACT)
    harmed = case.participants.filter(role="harmed").first()
    # Written around every check, as a hand-edited row would be.
    Program.objects.filter(pk=world.program.pk).update(
        process_types={"mediation": True},
        consent_purposes=[["contact"], "nonsense", 7, "contact"],
        languages="en",
    )
    coordinator = client_for("coordinator")
    admin = client_for("program_admin")
    pages = [
        (admin, reverse("programs:settings")),
        (coordinator, reverse("programs:settings")),
        (admin, reverse("programs:edit_processes")),
        (admin, reverse("programs:edit_purposes")),
        (admin, reverse("programs:edit_languages")),
        (coordinator, case.get_absolute_url()),
        (coordinator, reverse("cases:action", args=[case.reference, "process"])),
        (
            coordinator,
            reverse("cases:action", args=[case.reference, "consent"]) + f"?participant={harmed.pk}",
        ),
    ]
    for client, url in pages:
        assert client.get(url).status_code == 200, url
    settings_page = admin.get(reverse("programs:settings")).content.decode()
    assert "nonsense" not in settings_page
    # Choosing a process that the bad value seems to name: refused with a message, no 500.
    form = coordinator.get(reverse("cases:action", args=[case.reference, "process"]))
    refused = coordinator.post(
        reverse("cases:action", args=[case.reference, "process"]),
        {
            "version": form.context["form"]["version"].value(),
            "submission": form.context["form"]["submission"].value(),
            "process": "mediation",
        },
    )
    assert refused.status_code == 400

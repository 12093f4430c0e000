"""The agreement's documents as PDF files: what each carries, in whose language, and who
may take them. Read back with pypdf, an independent PDF library."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mend.agreements import services
from mend.agreements.documents import links, pdf
from mend.agreements.documents.copies import copy_for
from mend.agreements.models import Agreement, AgreementSettings, Term
from mend.cases.models import Participant
from mend.cases.services import add_note, close_case
from mend.cases.stages import Outcome
from mend.core.models import AuditEvent
from mend.programs.roles import Role
from mend.programs.services import add_agency, grant_membership
from mend.testing.agreements import (
    agreement_case,
    apology,
    binding,
    carry_out,
    draft,
    placement,
    restitution,
    service,
)
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE, parties
from mend.testing.personas import World, make_user

pytestmark = pytest.mark.django_db

CANARIES = (CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS)
STANDARD_FONTS = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def text_of(data: bytes) -> str:
    """The document's words, whitespace made single (lines wrap where the layout says)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def language_of(data: bytes) -> str:
    """The /Lang of the file's catalogue: the language a screen reader reads it in."""
    return str(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"])


def words(text: str) -> str:
    return " ".join(text.split())


def programme(world: World, case: Any) -> services.TermDetails:
    return services.TermDetails(
        kind=Term.Kind.PROGRAM,
        description="Finish the six-week course on making amends.",
        due_on=timezone.localdate() + timedelta(days=45),
        monitor=world["facilitator"],
        program_kind=Term.ProgramKind.EDUCATION,
        provider="Riverside Youth Service",
    )


def full_agreement(world: World) -> Agreement:
    """Every kind of detail a copy shows, and the canaries where a careless copy would
    pick them up: the payee and the placement's own address and contact."""
    case = agreement_case(world)
    soon = timezone.localdate() + timedelta(days=30)
    money = restitution(
        world,
        case,
        payee=f"Hana0 Harmed, {CANARY_ADDRESS}",
        instalments=[(soon, Decimal("60.00")), (soon + timedelta(days=30), Decimal("60.00"))],
    )
    site = placement(world)
    site.address = CANARY_ADDRESS
    site.contact_phone = CANARY_PHONE
    site.save()
    terms = [apology(world, case), money, service(world, case, where=site), programme(world, case)]
    return binding(world, case, terms)


def copies(agreement: Agreement) -> dict[str, bytes]:
    return {
        person.role: pdf.render(copy_for(agreement, person))
        for person in services.signers(agreement)
    }


def test_every_partys_copy_carries_every_terms_text_and_details(world: World) -> None:
    agreement = full_agreement(world)
    for role, data in copies(agreement).items():
        text = text_of(data)
        for term in agreement.terms.all():
            assert words(term.description) in text, role
            assert str(term.get_kind_display()) in text, role
        assert "Riverside Restorative Justice" in text
        assert agreement.case.reference in text
        assert "120.00 USD" in text
        assert "60.00 USD by" in text
        assert "10 h" in text
        assert "Riverside Food Bank, run by Riverside Community Trust" in text
        assert "Education" in text and "Riverside Youth Service" in text
        assert "Hana0 Harmed" in text and "Rory0 Responsible" in text


def test_no_copy_carries_anyones_contact_details_nor_what_is_not_on_its_list(
    world: World,
) -> None:
    agreement = full_agreement(world)
    found = copies(agreement)
    assert set(found) == {Participant.Role.HARMED, Participant.Role.RESPONSIBLE}
    for role, data in found.items():
        text = text_of(data)
        for canary in CANARIES:
            assert canary not in text, f"the {role} party's copy carries {canary}"
        # Nor the placement's contact, nor the term's monitor.
        assert "Pat Placement" not in text
        assert "Facilitator" not in text


def test_the_responsible_partys_copy_is_in_their_language_and_says_so_in_the_file(
    world: World,
) -> None:
    agreement = full_agreement(world)
    responsible = agreement.responsible.person
    responsible.preferred_language = "es"
    responsible.save()
    found = copies(agreement)
    spanish = text_of(found[Participant.Role.RESPONSIBLE])
    assert "Copia del acuerdo" in spanish
    assert "Lo acordado" in spanish
    assert "120,00 USD" in spanish
    assert "Servicio comunitario" in spanish
    assert language_of(found[Participant.Role.RESPONSIBLE]) == "es"
    # The harmed party, who chose no language, reads the program's: English.
    english = found[Participant.Role.HARMED]
    assert "Copy of the agreement" in text_of(english)
    assert language_of(english) == "en"


def test_a_language_mend_does_not_write_falls_back_to_the_programs(world: World) -> None:
    agreement = full_agreement(world)
    harmed = parties(agreement.case, Participant.Role.HARMED)[0]
    harmed.person.preferred_language = "so"
    harmed.person.save()
    world.program.languages = ["es", "en"]
    world.program.save()
    agreement.case.program.refresh_from_db()
    data = pdf.render(copy_for(agreement, harmed))
    assert "Copia del acuerdo" in text_of(data)


def test_the_fonts_are_embedded_and_the_title_and_author_are_set(world: World) -> None:
    agreement = full_agreement(world)
    reader = PdfReader(io.BytesIO(copies(agreement)[Participant.Role.HARMED]))
    assert reader.metadata is not None
    assert reader.metadata.title == "Copy of the agreement"
    assert reader.metadata.author == "Mend"
    assert reader.metadata.subject == "Mend"
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert not any(name in str(font["/BaseFont"]) for name in STANDARD_FONTS), font
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            seen += 1
    assert seen


def test_those_who_have_not_agreed_get_a_line_to_sign_and_those_who_have_say_how(
    world: World,
) -> None:
    case = agreement_case(world)
    agreement = draft(world, case)
    harmed = parties(case, Participant.Role.HARMED)[0]
    services.record_signature(
        agreement=agreement,
        participant=harmed,
        method="verbal",
        agreed_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    text = text_of(pdf.render(copy_for(agreement, harmed)))
    assert "Hana0 Harmed, harmed party: agreed on" in text
    assert "agreed verbally, witnessed by the facilitator" in text
    assert "Rory0 Responsible, responsible party: has not agreed yet." in text
    assert "By signing, I agree to the terms above." in text
    assert "Signature" in text and "Date" in text


def test_text_written_by_people_is_printed_as_written_never_read_as_markup(
    world: World,
) -> None:
    case = agreement_case(world)
    odd = replace(
        apology(world, case), description='Say "sorry" & mean it <b>twice</b> <img src="x"/>'
    )
    agreement = binding(world, case, [odd])
    text = text_of(pdf.render(copy_for(agreement, agreement.responsible)))
    assert 'Say "sorry" & mean it <b>twice</b> <img src="x"/>' in text


# --- Closure letters and the outcome report ---------------------------------------------


def closed(world: World, *, completed: bool = True, outcome: str = "") -> Agreement:
    """A case closed after its agreement (restitution and service) was carried out."""
    case = agreement_case(world)
    agreement = binding(world, case, [restitution(world, case), service(world, case)])
    add_note(
        case=case,
        body=f"The parties spoke about {CANARY_ADDRESS}.",
        by=world["facilitator"],
        expected_version=None,
    )
    if completed:
        carry_out(world, agreement)
    close_case(
        case=case,
        outcome=outcome
        or (Outcome.COMPLETED_WITH_AGREEMENT if completed else Outcome.AGREEMENT_NOT_COMPLETED),
        by=world["coordinator"],
        expected_version=None,
    )
    agreement.refresh_from_db()
    return agreement


def download(client: Client, url: str) -> tuple[Any, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return response, text_of(response.content)


def test_each_party_gets_a_closure_letter_in_their_language_naming_no_one_else(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = closed(world)
    case = agreement.case
    harmed = parties(case, Participant.Role.HARMED)[0]
    agreement.responsible.person.preferred_language = "es"
    agreement.responsible.person.save()
    client = client_for("facilitator")
    letter = reverse(
        "agreements:closure_letter",
        kwargs={"reference": case.reference, "participant_id": agreement.responsible.pk},
    )
    response, text = download(client, letter)
    assert "Su caso se ha cerrado" in text
    assert "Concluido con acuerdo" in text
    assert "Estimado/a Rory0 Responsible:" in text
    assert "Hana0 Harmed" not in text
    assert language_of(response.content) == "es"
    _response, text = download(
        client,
        reverse(
            "agreements:closure_letter",
            kwargs={"reference": case.reference, "participant_id": harmed.pk},
        ),
    )
    assert "Your case has closed" in text
    assert "Completed with agreement" in text
    assert "The terms of the agreement made with Rory0 Responsible were completed." in text
    for canary in CANARIES:
        assert canary not in text
    assert "Pay for the bicycle" not in text


def test_closure_letters_wait_for_the_case_to_close(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = binding(world, agreement_case(world))
    url = reverse(
        "agreements:closure_letter",
        kwargs={"reference": agreement.case.reference, "participant_id": agreement.responsible.pk},
    )
    assert client_for("facilitator").get(url).status_code == 404


def test_the_outcome_report_tells_the_referrer_the_least_they_may_know(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = closed(world)
    case = agreement.case
    url = reverse("agreements:outcome_report", kwargs={"reference": case.reference})
    _response, text = download(client_for("referrer"), url)
    assert case.reference in text and "CR/2026/0001" in text
    assert "Riverside Police" in text
    assert "A restorative process took place Yes" in text
    assert "An agreement was reached Yes" in text
    assert "The agreement was completed Yes" in text
    assert "Completed with agreement" in text
    # No names, no notes, no terms: the program shares no kind of term by default.
    for secret in ("Hana0", "Rory0", "Harmed", "Responsible", *CANARIES):
        assert secret not in text
    for term in agreement.terms.all():
        assert words(term.description) not in text
        assert str(term.get_kind_display()) not in text
    assert "120.00" not in text and "Riverside Food Bank" not in text


def test_the_outcome_report_lists_only_the_kinds_of_term_the_program_shares(
    world: World, client_for: Callable[[str], Client]
) -> None:
    AgreementSettings.objects.create(
        program=world.program, kinds_shared_with_referrer=[Term.Kind.COMMUNITY_SERVICE]
    )
    agreement = closed(world, completed=False, outcome=Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY)
    url = reverse("agreements:outcome_report", kwargs={"reference": agreement.case.reference})
    _response, text = download(client_for("referrer"), url)
    assert "Community service" in text
    assert "Restitution" not in text
    assert "Help at the food bank" not in text and "10 h" not in text
    assert "The agreement was completed No" in text
    assert "Withdrawn by responsible party" in text


def test_the_outcome_report_is_in_the_programs_language(
    world: World, client_for: Callable[[str], Client]
) -> None:
    world.program.languages = ["es"]
    world.program.save()
    agreement = closed(world)
    url = reverse("agreements:outcome_report", kwargs={"reference": agreement.case.reference})
    response, text = download(client_for("coordinator"), url)
    assert "Informe de resultado" in text
    assert language_of(response.content) == "es"


def test_a_referrer_gets_the_report_only_of_a_referral_they_follow_once_it_closed(
    world: World, client_for: Callable[[str], Client]
) -> None:
    open_case = binding(world, agreement_case(world)).case
    url = reverse("agreements:outcome_report", kwargs={"reference": open_case.reference})
    assert client_for("referrer").get(url).status_code == 404
    agreement = closed(world)
    url = reverse("agreements:outcome_report", kwargs={"reference": agreement.case.reference})
    assert client_for("referrer").get(url).status_code == 200
    # A referrer of another agency, in the same program, follows other referrals.
    courts = add_agency(program=world.program, name="Riverside Court", kind="court", by=None)
    world.users["clerk"] = make_user("clerk")
    grant_membership(
        user=world["clerk"], program=world.program, role=Role.REFERRER, agency=courts, by=None
    )
    assert client_for("clerk").get(url).status_code == 404
    # Nor may a referrer take a party's copy or a closure letter.
    letter = reverse(
        "agreements:closure_letter",
        kwargs={"reference": agreement.case.reference, "participant_id": agreement.responsible.pk},
    )
    assert client_for("referrer").get(letter).status_code == 403


def test_the_referrer_finds_the_outcome_report_on_their_referral_page_once_the_case_ends(
    world: World, client_for: Callable[[str], Client]
) -> None:
    referrer = client_for("referrer")
    open_case = binding(world, agreement_case(world)).case
    page = referrer.get(reverse("cases:referral_detail", args=[open_case.referral_id]))
    assert page.status_code == 200
    assert 'id="outcome-report"' not in page.content.decode()
    case = closed(world).case
    report = reverse("agreements:outcome_report", kwargs={"reference": case.reference})
    page = referrer.get(reverse("cases:referral_detail", args=[case.referral_id]))
    assert f'href="{report}"' in page.content.decode()
    assert referrer.get(report).status_code == 200


def test_a_copy_is_a_download_that_is_never_cached_and_is_audited(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = binding(world, agreement_case(world))
    url = reverse(
        "agreements:party_copy",
        kwargs={
            "reference": agreement.case.reference,
            "agreement_id": agreement.pk,
            "participant_id": agreement.responsible.pk,
        },
    )
    response = client_for("facilitator").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{agreement.case.reference}-agreement-1-copy-'
        f'{agreement.responsible.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="agreement.copy_downloaded")
    assert event.actor == world["facilitator"]
    assert event.subject_id == str(agreement.case.pk)
    assert event.details["participant"] == str(agreement.responsible.pk)


def test_a_copy_for_someone_who_is_not_a_party_to_the_agreement_is_not_found(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = binding(world, agreement_case(world))
    elsewhere = binding(world, agreement_case(world))

    def copy_url(participant_id: int, agreement_id: int = agreement.pk) -> str:
        return reverse(
            "agreements:party_copy",
            kwargs={
                "reference": agreement.case.reference,
                "agreement_id": agreement_id,
                "participant_id": participant_id,
            },
        )

    client = client_for("coordinator")
    assert client.get(copy_url(elsewhere.responsible.pk)).status_code == 404
    assert client.get(copy_url(agreement.responsible.pk, elsewhere.pk)).status_code == 404
    assert client_for("outsider").get(copy_url(agreement.responsible.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action="agreement.copy_downloaded").exists()


def test_the_page_lists_each_partys_copy_for_those_who_may_hand_them_out(
    world: World, django_assert_max_num_queries: Any
) -> None:
    from django.template.loader import render_to_string

    agreement = binding(world, agreement_case(world))
    # As the agreement page reads it.
    agreement = Agreement.objects.select_related("case__program").get(pk=agreement.pk)
    coordinator = world.program.memberships.get(user=world["coordinator"])
    volunteer = world.program.memberships.get(user=world["volunteer"])
    with django_assert_max_num_queries(1):
        found = links.copies_of(coordinator, agreement)
    assert [d.label for d in found] == [
        "Copy for Hana0 Harmed (harmed party), in English",
        "Copy for Rory0 Responsible (responsible party), in English",
    ]
    html = render_to_string(
        "agreements/includes/copies.html", {"agreement": agreement, "copies": found}
    )
    assert all(d.url in html for d in found)
    assert links.copies_of(volunteer, agreement) == []
    assert "<section" not in render_to_string(
        "agreements/includes/copies.html", {"agreement": agreement, "copies": []}
    )


def test_an_ended_case_lists_its_closure_letters_and_report(world: World) -> None:
    agreement = closed(world)
    coordinator = world.program.memberships.get(user=world["coordinator"])
    found = links.closing_documents(coordinator, agreement.case)
    assert [d.label for d in found] == [
        "Closure letter for Hana0 Harmed (harmed party), in English",
        "Closure letter for Rory0 Responsible (responsible party), in English",
        "Outcome report for the referrer, in English",
    ]
    assert links.closing_documents(coordinator, binding(world, agreement_case(world)).case) == []


def test_a_copy_takes_as_many_queries_whatever_the_number_of_terms(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(terms: int) -> int:
        case = agreement_case(world)
        made = binding(world, case, [restitution(world, case) for _ in range(terms)])
        agreement = Agreement.objects.select_related("case__program").get(pk=made.pk)
        with CaptureQueriesContext(connection) as seen:
            pdf.render(copy_for(agreement, agreement.responsible))
        return len(seen)

    assert queries(1) == queries(12) <= 8


def test_a_case_that_ended_before_any_process_reports_none_took_place(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from mend.testing.cases import screen, submit

    case = screen(world, submit(world))
    close_case(
        case=case, outcome=Outcome.NOT_ELIGIBLE, by=world["coordinator"], expected_version=None
    )
    url = reverse("agreements:outcome_report", kwargs={"reference": case.reference})
    _response, text = download(client_for("referrer"), url)
    assert "A restorative process took place No" in text
    assert "An agreement was reached No" in text
    assert "The agreement was completed No agreement was reached" in text
    assert "Not eligible" in text


def test_a_closure_letter_goes_to_a_party_of_the_case_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    agreement = closed(world)
    other = binding(world, agreement_case(world))

    def letter(participant_id: int) -> str:
        return reverse(
            "agreements:closure_letter",
            kwargs={"reference": agreement.case.reference, "participant_id": participant_id},
        )

    client = client_for("coordinator")
    assert client.get(letter(other.responsible.pk)).status_code == 404
    assert client_for("outsider").get(letter(agreement.responsible.pk)).status_code == 404
    assert client_for("volunteer").get(letter(agreement.responsible.pk)).status_code == 403
    assert client.get(letter(agreement.responsible.pk)).status_code == 200
    event = AuditEvent.objects.get(action="agreement.closure_letter_downloaded")
    assert event.details == {"participant": str(agreement.responsible.pk)}


def test_every_outcome_has_plain_words_for_the_closure_letter() -> None:
    from mend.agreements.documents.closure import PLAIN

    assert set(PLAIN) == set(Outcome.values)

"""The agreement's own pages and its section of the case page: drafting from the
conference record, the agreement page, its forms, and who may see and change them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.agreements import services
from mend.agreements.models import Agreement, Signature, Term
from mend.cases import services as cases
from mend.cases.models import Case, Participant
from mend.cases.stages import Outcome, Stage
from mend.processes import record_services
from mend.processes.models import Meeting
from mend.processes.record_services import ConferenceDetails
from mend.testing.agreements import agreement_case, apology, binding, draft, restitution
from mend.testing.cases import parties, submit
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

Clients = Callable[[str], Client]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _case(world: World) -> Case:
    """A case in Agreement and follow-up, led by the facilitator, the volunteer assigned."""
    case = agreement_case(world)
    cases.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    case.refresh_from_db()
    return case


def _held(case: Case) -> Meeting:
    return case.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()


def _record(world: World, case: Case, obligations: str) -> Meeting:
    meeting = _held(case)
    record_services.record_conference(
        case=case,
        meeting=meeting,
        details=ConferenceDetails(obligations=obligations, agreed="Repair and apologise."),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    return meeting


def _page(agreement: Agreement, name: str = "agreements:agreement", *more: int) -> str:
    return reverse(name, args=[agreement.case.reference, agreement.pk, *more])


def _form(response: Any) -> dict[str, str]:
    """The hidden fields of the page's form (version and one-time token), as sent back."""
    html = response.content.decode()
    return {
        name: value
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }


# Drafting


def test_drafting_from_a_conference_record_suggests_each_obligation_as_a_term(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    meeting = _record(
        world, case, "Pay for the bicycle's repair.\n\n  Write a letter of apology.\n"
    )
    client = client_for("facilitator")
    url = reverse("agreements:draft", args=[case.reference])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pay for the bicycle&#x27;s repair." in html
    assert "Write a letter of apology." in html
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    sent = client.post(
        url,
        {
            **_form(page),
            "responsible": responsible.pk,
            "keep_1": "on",
            "kind_1": Term.Kind.REPARATIVE_ACT,
            "text_1": "Pay for the bicycle's repair.",
            # Term 2 is dropped.
            "kind_2": Term.Kind.OTHER,
            "text_2": "Write a letter of apology.",
        },
    )
    agreement = Agreement.objects.get(case=case)
    assert sent.status_code == 302
    assert sent["Location"] == _page(agreement)
    assert agreement.meeting == meeting
    (term,) = agreement.terms.all()
    assert term.kind == Term.Kind.REPARATIVE_ACT
    assert term.serves == parties(case, Participant.Role.HARMED)[0]
    assert term.monitor == case.lead_facilitator
    assert term.due_on == timezone.localdate() + timedelta(days=30)


def test_drafting_offers_only_responsible_parties_without_a_current_agreement(
    world: World, client_for: Clients
) -> None:
    case = agreement_case(world, responsible=2)
    first, second = parties(case, Participant.Role.RESPONSIBLE)
    services.draft_agreement(
        case=case, responsible=first, terms=[], by=world["facilitator"], expected_version=None
    )
    page = client_for("facilitator").get(reverse("agreements:draft", args=[case.reference]))
    html = page.content.decode()
    assert f'value="{second.pk}"' in html
    assert f'value="{first.pk}"' not in html


def test_a_stale_draft_form_is_refused_with_409_and_nothing_is_drafted(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    client = client_for("facilitator")
    url = reverse("agreements:draft", args=[case.reference])
    page = client.get(url)
    cases.add_note(case=case, body="A call.", by=world["facilitator"], expected_version=None)
    sent = client.post(
        url,
        {**_form(page), "responsible": parties(case, Participant.Role.RESPONSIBLE)[0].pk},
    )
    assert sent.status_code == 409
    assert not Agreement.objects.filter(case=case).exists()


# The case page


def test_the_case_page_lists_each_agreement_with_who_has_agreed_and_offers_drafting(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
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
    html = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert _page(agreement) in html
    assert "1 of 2 parties" in html
    assert "Draft an agreement" not in html  # the one responsible party has one
    other = _case(world)
    assert (
        "Draft an agreement"
        in client_for("facilitator").get(other.get_absolute_url()).content.decode()
    )
    # A volunteer sees the agreement, but is not offered to draft one.
    assert (
        "Draft an agreement"
        not in client_for("volunteer").get(other.get_absolute_url()).content.decode()
    )


def test_the_timeline_shows_the_agreement_events(world: World, client_for: Clients) -> None:
    case = _case(world)
    binding(world, case)
    html = client_for("coordinator").get(case.get_absolute_url()).content.decode()
    for title in (
        "Agreement drafted",
        "A party&#x27;s agreement recorded",
        "Every party has agreed",
    ):
        assert title in html


def test_the_case_page_costs_the_same_queries_however_many_terms_and_signatures(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    small, large = _case(world), _case(world)
    binding(world, small, [apology(world, small)])
    binding(world, large, [apology(world, large) for _ in range(10)])
    client = client_for("facilitator")
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(large.get_absolute_url())


# The agreement page


def test_the_agreement_page_shows_its_terms_signers_and_history(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case, [apology(world, case), restitution(world, case, "80.00")])
    services.add_term(
        agreement=agreement,
        details=services.TermDetails(kind=Term.Kind.BEHAVIOUR, description="Stay away."),
        by=world["facilitator"],
        expected_version=None,
    )
    html = client_for("volunteer").get(_page(agreement)).content.decode()
    assert "Apologise in person at the conference." in html
    assert "80.00 USD" in html
    assert "The community" in html
    assert "Term added to an agreement" in html
    for person in services.signers(agreement):
        assert str(person.person) in html
    # A volunteer reads it but is offered no change.
    assert _page(agreement, "agreements:add_term") not in html
    assert "Add a term" in client_for("facilitator").get(_page(agreement)).content.decode()


def test_the_agreement_page_links_its_versions(world: World, client_for: Clients) -> None:
    case = _case(world)
    first = binding(world, case)
    second = services.reconvene(
        agreement=first, reason="A missed payment.", by=world["facilitator"], expected_version=None
    )
    client = client_for("facilitator")
    assert _page(second) in client.get(_page(first)).content.decode()
    html = client.get(_page(second)).content.decode()
    assert _page(first) in html
    assert "A missed payment." in html


def test_the_agreement_page_costs_the_same_queries_however_many_terms_and_signatures(
    world: World, client_for: Clients, django_assert_max_num_queries: Any
) -> None:
    small, large = _case(world), _case(world)
    one = binding(world, small, [restitution(world, small)])
    ten = binding(world, large, [restitution(world, large) for _ in range(10)])
    client = client_for("facilitator")
    small_url, large_url = _page(one), _page(ten)
    client.get(small_url)
    with CaptureQueriesContext(connection) as few:
        client.get(small_url)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(large_url)


def test_another_programs_agreement_or_an_unseen_cases_is_not_found(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case)
    assert client_for("outsider").get(_page(agreement)).status_code == 404
    assert client_for("referrer").get(_page(agreement)).status_code == 404
    # Another case's agreement under this case's reference is not found either.
    other = _case(world)
    url = reverse("agreements:agreement", args=[other.reference, agreement.pk])
    assert client_for("facilitator").get(url).status_code == 404


# The forms


def test_a_volunteer_cannot_change_an_agreement(world: World, client_for: Clients) -> None:
    case = _case(world)
    agreement = draft(world, case)
    client = client_for("volunteer")
    term = agreement.terms.first()
    for url in (
        _page(agreement, "agreements:add_term"),
        _page(agreement, "agreements:change_term", term.pk),
        _page(agreement, "agreements:remove_term", term.pk),
        _page(agreement, "agreements:sign"),
        _page(agreement, "agreements:reconvene"),
        reverse("agreements:draft", args=[case.reference]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert agreement.terms.count() == 2


def test_adding_a_term_with_its_kinds_details(world: World, client_for: Clients) -> None:
    case = _case(world)
    agreement = draft(world, case, [])
    client = client_for("facilitator")
    url = _page(agreement, "agreements:add_term")
    page = client.get(url)
    sent = client.post(
        url,
        {
            **_form(page),
            "kind": Term.Kind.RESTITUTION,
            "description": "Pay for the lock.",
            "serves": parties(case, Participant.Role.HARMED)[0].pk,
            "amount": "60.00",
            "currency": "usd",
            "instalments": "2030-01-01 30.00\n2030-02-01 30.00",
        },
    )
    assert sent.status_code == 302
    term = agreement.terms.get()
    assert (str(term.amount), term.currency) == ("60.00", "USD")
    assert term.instalments.count() == 2


def test_a_stale_term_form_is_refused_with_409_and_nothing_changes(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case)
    client = client_for("facilitator")
    term = agreement.terms.first()
    url = _page(agreement, "agreements:change_term", term.pk)
    page = client.get(url)
    services.add_term(
        agreement=agreement,
        details=apology(world, case),
        by=world["coordinator"],
        expected_version=None,
    )
    sent = client.post(
        url, {**_form(page), "kind": Term.Kind.OTHER, "description": "Something else."}
    )
    assert sent.status_code == 409
    assert "Someone changed this agreement since you opened the form." in sent.content.decode()
    term.refresh_from_db()
    assert term.description == "Apologise in person at the conference."


def test_bad_input_shows_field_errors_and_a_summary_and_changes_nothing(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case, [])
    client = client_for("facilitator")
    url = _page(agreement, "agreements:add_term")
    page = client.get(url)
    sent = client.post(
        url, {**_form(page), "kind": Term.Kind.COMMUNITY_SERVICE, "description": "Help out."}
    )
    assert sent.status_code == 400
    html = sent.content.decode()
    assert "There is a problem" in html
    assert "Enter the hours of service agreed." in html
    assert "Choose a placement from the program&#x27;s list." in html
    assert not agreement.terms.exists()


def test_a_written_apology_may_be_linked_to_a_letter_of_the_responsible_party(
    world: World, client_for: Clients
) -> None:
    from mend.processes import letter_services

    case = _case(world)
    agreement = draft(world, case, [])
    harmed = parties(case, Participant.Role.HARMED)[0]
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    own = letter_services.draft_letter(
        case=case,
        kind="letter",
        author=responsible,
        recipient=harmed,
        body="I am sorry.",
        by=world["facilitator"],
        expected_version=None,
    )
    theirs = letter_services.draft_letter(
        case=case,
        kind="letter",
        author=harmed,
        recipient=responsible,
        body="Thank you.",
        by=world["facilitator"],
        expected_version=None,
    )
    client = client_for("facilitator")
    url = _page(agreement, "agreements:add_term")
    page = client.get(url)
    letters = re.search(r'<select name="letter".*?</select>', page.content.decode(), re.S)
    assert letters is not None
    assert f'value="{own.pk}"' in letters.group()
    assert f'value="{theirs.pk}"' not in letters.group()
    sent = client.post(
        url,
        {
            **_form(page),
            "kind": Term.Kind.APOLOGY_WRITTEN,
            "description": "Write to say sorry.",
            "letter": own.pk,
        },
    )
    assert sent.status_code == 302
    assert agreement.terms.get().letter == own
    with pytest.raises(Exception) as refused:
        services.add_term(
            agreement=agreement,
            details=services.TermDetails(
                kind=Term.Kind.APOLOGY_WRITTEN, description="Theirs.", letter=theirs
            ),
            by=world["facilitator"],
            expected_version=None,
        )
    assert "letter" in refused.value.message_dict  # type: ignore[attr-defined]


def test_removing_a_term_of_a_draft(world: World, client_for: Clients) -> None:
    case = _case(world)
    agreement = draft(world, case)
    term = agreement.terms.first()
    client = client_for("facilitator")
    url = _page(agreement, "agreements:remove_term", term.pk)
    page = client.get(url)
    assert client.post(url, _form(page)).status_code == 302
    assert not agreement.terms.filter(pk=term.pk).exists()


def test_recording_agreement_on_screen_verbally_and_the_last_one_binds(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case)
    harmed = parties(case, Participant.Role.HARMED)[0]
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    client = client_for("facilitator")
    url = _page(agreement, "agreements:sign")
    today = timezone.localdate().isoformat()
    page = client.get(url)
    missing = client.post(
        url, {**_form(page), "participant": harmed.pk, "method": "on_screen", "agreed_on": today}
    )
    assert missing.status_code == 400
    assert "Ask them to type their name to sign." in missing.content.decode()
    sent = client.post(
        url,
        {
            **_form(page),
            "participant": harmed.pk,
            "method": "on_screen",
            "agreed_on": today,
            "signed_name": "Hana Harmed",
        },
    )
    assert sent.status_code == 302
    page = client.get(url)
    client.post(
        url,
        {**_form(page), "participant": responsible.pk, "method": "verbal", "agreed_on": today},
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.BINDING
    verbal = agreement.signatures.get(participant=responsible)
    assert verbal.witnessed_by == world["facilitator"]


def test_a_signed_copy_must_be_a_pdf_or_an_image_and_is_served_only_to_the_case_workers(
    world: World, client_for: Clients, private_files: Any
) -> None:
    case = _case(world)
    agreement = draft(world, case)
    harmed = parties(case, Participant.Role.HARMED)[0]
    client = client_for("facilitator")
    url = _page(agreement, "agreements:sign")
    today = timezone.localdate().isoformat()
    fields = {"participant": harmed.pk, "method": "scanned", "agreed_on": today}
    page = client.get(url)
    text = io.BytesIO(b"just some words, not a scan")
    text.name = "signed.pdf"
    refused = client.post(url, {**_form(page), **fields, "scan": text})
    assert refused.status_code == 400
    assert "Upload the signed copy as a PDF" in refused.content.decode()
    assert not Signature.objects.filter(agreement=agreement).exists()
    assert not [p for p in private_files.rglob("*") if p.is_file()]
    scan = io.BytesIO(PDF)
    scan.name = "signed.pdf"
    page = client.get(url)
    assert client.post(url, {**_form(page), **fields, "scan": scan}).status_code == 302
    signature = Signature.objects.get(agreement=agreement)
    stored = private_files / signature.scan_name
    assert PDF not in stored.read_bytes()  # sealed at rest
    download = reverse("agreements:signed_copy", args=[case.reference, agreement.pk, signature.pk])
    got = client.get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
    assert got["Content-Disposition"].startswith("attachment")
    # A scanned paper may carry more than the agreement: for those who work the case only.
    for persona in ("volunteer", "referrer", "analyst"):
        assert client_for(persona).get(download).status_code == 403
    assert client_for("outsider").get(download).status_code == 404


def test_reconvening_from_the_page_drafts_a_new_version(world: World, client_for: Clients) -> None:
    case = _case(world)
    agreement = binding(world, case)
    client = client_for("facilitator")
    url = _page(agreement, "agreements:reconvene")
    page = client.get(url)
    empty = client.post(url, {**_form(page), "reason": ""})
    assert empty.status_code == 400
    sent = client.post(url, {**_form(page), "reason": "The payments stopped."})
    new = Agreement.objects.get(previous=agreement)
    assert sent["Location"] == _page(new)
    assert new.status == Agreement.Status.DRAFT


def test_a_closed_cases_form_demands_a_reason(world: World, client_for: Clients) -> None:
    case = _case(world)
    agreement = draft(world, case)
    term = agreement.terms.first()
    # Closed meanwhile (how it closed is not what is tried here).
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, outcome=Outcome.COMPLETED_WITHOUT_AGREEMENT
    )
    client = client_for("facilitator")
    url = _page(agreement, "agreements:remove_term", term.pk)
    page = client.get(url)
    assert "Why are you changing a closed case?" in page.content.decode()
    refused = client.post(url, _form(page))
    assert refused.status_code == 400
    assert agreement.terms.filter(pk=term.pk).exists()
    page = client.get(url)
    sent = client.post(url, {**_form(page), "closed_reason": "Entered by mistake."})
    assert sent.status_code == 302
    assert not agreement.terms.filter(pk=term.pk).exists()


def test_drafting_is_refused_before_the_process_has_begun(
    world: World, client_for: Clients
) -> None:
    case = submit(world)
    sent = client_for("coordinator").get(reverse("agreements:draft", args=[case.reference]))
    assert sent.status_code == 302


def test_a_form_whose_choice_vanished_meanwhile_is_refused_as_stale(
    world: World, client_for: Clients
) -> None:
    case = _case(world)
    agreement = draft(world, case)
    harmed = parties(case, Participant.Role.HARMED)[0]
    client = client_for("facilitator")
    url = _page(agreement, "agreements:sign")
    page = client.get(url)
    services.record_signature(
        agreement=agreement,
        participant=harmed,
        method="verbal",
        agreed_on=timezone.localdate(),
        by=world["coordinator"],
        expected_version=None,
    )
    sent = client.post(
        url,
        {
            **_form(page),
            "participant": harmed.pk,
            "method": "verbal",
            "agreed_on": timezone.localdate().isoformat(),
        },
    )
    assert sent.status_code == 409
    assert agreement.signatures.count() == 1

"""Letters and messages are reviewed version by version, reach their recipient only as an
approved copy with the removed passages marked, and only when the recipient may receive
them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mend.cases import services as cases
from mend.cases.models import Case, ConsentEntry, Person
from mend.cases.services import Blocked
from mend.core.models import AuditEvent
from mend.processes import letter_services as services
from mend.processes.models import Letter, LetterVersion
from mend.programs.models import ConsentPurpose
from mend.testing.cases import parties
from mend.testing.forms import sent
from mend.testing.letters import approve, deliver, letters_case, write
from mend.testing.personas import World

Clients = Callable[[str], Client]
MARKER = "[removed by the facilitator]"


def _review(world: World, case: Case, letter: Letter, decision: str, **kwargs: object) -> None:
    services.review_version(
        case=case,
        letter=letter,
        decision=decision,
        by=world["facilitator"],
        expected_version=None,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_redacted_passage_is_replaced_by_a_marker_in_the_recipients_copy_only(
    world: World,
) -> None:
    case = letters_case(world)
    body = "I am sorry. I live at 4 Elm Road. I will pay for the bike."
    letter = approve(world, case, write(world, case, body), redact=("4 Elm Road",))
    version = letter.versions.get()
    assert version.body == body
    assert version.recipient_text == f"I am sorry. I live at {MARKER}. I will pay for the bike."
    assert version.redacted == 1
    deliver(world, case, letter)
    assert services.copy_for_recipient(letter) == version.recipient_text


def test_a_character_range_removes_those_words_wherever_they_appear(world: World) -> None:
    case = letters_case(world)
    body = "Sam told me. Ask Sam."
    letter = write(world, case, body)
    _review(world, case, letter, "approved", redact_ranges=[(0, 3)])
    assert letter.versions.get().recipient_text == f"{MARKER} told me. Ask {MARKER}."


def test_a_passage_not_in_the_text_is_refused_by_field_and_nothing_is_decided(
    world: World,
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    with pytest.raises(ValidationError) as refused:
        _review(world, case, letter, "approved", redact=["not there"])
    assert refused.value.message_dict == {
        "redact": ["“not there” is not in the text of the letter."]
    }
    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_REVIEW
    assert letter.versions.get().decision == ""


def test_returning_needs_comments_and_the_revision_is_a_new_version_keeping_the_old(
    world: World,
) -> None:
    case = letters_case(world)
    letter = write(world, case, "First try.")
    with pytest.raises(ValidationError) as refused:
        _review(world, case, letter, "returned")
    assert refused.value.message_dict == {"comments": ["Say what the author should change."]}
    _review(world, case, letter, "returned", comments="Please leave out the address.")
    services.revise_letter(
        case=case, letter=letter, body="Second try.", by=world["facilitator"], expected_version=None
    )
    versions = list(letter.versions.values_list("number", "body", "decision"))
    assert versions == [(1, "First try.", "returned"), (2, "Second try.", "")]


def test_nothing_but_an_approved_letter_is_delivered(world: World) -> None:
    case = letters_case(world)
    pending, withheld = write(world, case), write(world, case)
    _review(world, case, withheld, "withheld", comments="It would cause harm.")
    for letter in (pending, withheld):
        with pytest.raises(Blocked) as refused:
            deliver(world, case, letter)
        assert refused.value.messages == ["Only an approved letter can be delivered."]
        assert services.copy_for_recipient(letter) is None


def test_delivery_needs_the_recipients_consent_to_indirect_communication(world: World) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    cases.record_consent(
        participant=parties(case, "harmed")[0],
        purpose=ConsentPurpose.INDIRECT,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    with pytest.raises(Blocked) as refused:
        deliver(world, case, letter)
    assert "Hana0 Harmed withdrew consent to take part in indirect communication." in (
        refused.value.messages
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.APPROVED
    assert services.copy_for_recipient(letter) is None


def test_delivery_needs_a_current_suitable_assessment_of_the_recipient(world: World) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    cases.record_assessment(
        participant=parties(case, "harmed")[0],
        assessed_on=timezone.localdate(),
        result="not_suitable",
        answers={},
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    with pytest.raises(Blocked) as refused:
        deliver(world, case, letter)
    # The case stepped back out of the process: no letter reaches anyone now.
    assert refused.value.messages == [
        "A letter is delivered only once the restorative process has begun."
    ]


def test_a_recipient_may_decline_and_nothing_is_delivered(world: World) -> None:
    case = letters_case(world)
    letter = deliver(world, case, approve(world, case, write(world, case)), outcome="declined")
    assert letter.status == Letter.Status.DECLINED
    assert services.copy_for_recipient(letter) is None
    assert AuditEvent.objects.filter(action="letter.declined", object_id=str(letter.pk)).exists()


def test_a_reply_goes_back_from_the_recipient_to_the_author_of_a_delivered_letter(
    world: World,
) -> None:
    case = letters_case(world)
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    first = write(world, case)
    with pytest.raises(ValidationError):
        services.draft_letter(
            case=case,
            author=harmed,
            recipient=responsible,
            body="Thank you.",
            reply_to=first,
            by=world["facilitator"],
            expected_version=None,
        )
    deliver(world, case, approve(world, case, first))
    reply = services.draft_letter(
        case=case,
        author=harmed,
        recipient=responsible,
        body="Thank you.",
        reply_to=first,
        by=world["facilitator"],
        expected_version=None,
    )
    assert reply.reply_to == first


def test_a_letter_to_oneself_is_refused_by_field(world: World) -> None:
    case = letters_case(world)
    harmed = parties(case, "harmed")[0]
    with pytest.raises(ValidationError) as refused:
        write(world, case, author=harmed, recipient=harmed)
    assert refused.value.message_dict == {"recipient": ["Choose someone other than the author."]}


def test_every_step_is_audited_on_the_case_without_the_text(world: World) -> None:
    case = letters_case(world)
    letter = write(world, case, "SECRET-WORDS here.")
    _review(world, case, letter, "returned", comments="Shorter.")
    services.revise_letter(
        case=case,
        letter=letter,
        body="SECRET-WORDS.",
        by=world["facilitator"],
        expected_version=None,
    )
    deliver(world, case, approve(world, case, letter, redact=("SECRET-WORDS",)))
    events = AuditEvent.objects.filter(object_id=str(letter.pk), action__startswith="letter.")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "letter.drafted",
        "letter.returned",
        "letter.revised",
        "letter.approved",
        "letter.delivered",
    ]
    assert all(e.subject_id == str(case.pk) for e in events)
    assert not any("SECRET" in str(e.details) for e in events)


# --- Through the pages -----------------------------------------------------------------


def test_the_page_refuses_delivery_without_consent_with_the_sentence(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    cases.record_consent(
        participant=parties(case, "harmed")[0],
        purpose=ConsentPurpose.INDIRECT,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "letter_deliver"]) + f"?letter={letter.pk}"
    client = client_for("facilitator")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        sent(
            case,
            letter=letter.pk,
            outcome="delivered",
            method="post",
            delivered_on=timezone.localdate().isoformat(),
        ),
    )
    assert response.status_code == 409
    assert "Hana0 Harmed withdrew consent to take part in indirect communication." in (
        response.content.decode()
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.APPROVED


def test_the_review_page_redacts_passages_given_one_a_line(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case, "Hello. My number is 0117 496. My road is Elm Road. Sorry.")
    url = reverse("cases:action", args=[case.reference, "letter_review"]) + f"?letter={letter.pk}"
    client = client_for("facilitator")
    response = client.post(
        url,
        sent(case, letter=letter.pk, decision="approved", redact="0117 496\r\nElm Road\r\n"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    version = letter.versions.get()
    assert version.recipient_text == f"Hello. My number is {MARKER}. My road is {MARKER}. Sorry."
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="letters-heading"' in page
    assert "My road is Elm Road" in page  # staff see both texts
    assert "My road is [removed by the facilitator]" in page


def test_a_return_without_comments_is_refused_by_field_on_the_page(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case)
    url = reverse("cases:action", args=[case.reference, "letter_review"])
    response = client_for("facilitator").post(
        url, sent(case, letter=letter.pk, decision="returned", comments="  ")
    )
    assert response.status_code == 400
    assert "Say what the author should change." in response.content.decode()
    assert letter.versions.get().decision == LetterVersion.Decision.PENDING


def test_a_volunteer_sees_that_letters_exist_but_not_their_text(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    write(world, case, "PRIVATE-LETTER-TEXT")
    case.assignments.get_or_create(user=world["volunteer"], role="volunteer")
    page = client_for("volunteer").get(case.get_absolute_url()).content.decode()
    assert 'id="letters-heading"' in page
    assert "PRIVATE-LETTER-TEXT" not in page
    staff = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert "PRIVATE-LETTER-TEXT" in staff


def _page_queries(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_queries_with_2_or_20_letters(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    client = client_for("facilitator")

    def add(n: int) -> None:
        for i in range(n):
            letter = write(world, case, f"Letter {i}.")
            if i % 2:
                _review(world, case, letter, "returned", comments="Again.")
                services.revise_letter(
                    case=case,
                    letter=letter,
                    body=f"Letter {i}, again.",
                    by=world["facilitator"],
                    expected_version=None,
                )
                deliver(world, case, approve(world, case, letter, redact=("again",)))

    add(2)
    few = _page_queries(client, case)
    add(18)
    assert Letter.objects.filter(case=case).count() == 20
    assert _page_queries(client, case) == few


def test_a_letter_drafted_through_the_page_awaits_review_as_version_one(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "letter"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        sent(
            case,
            kind="message",
            author=harmed.pk,
            recipient=responsible.pk,
            body="  Why did you do it?  ",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    letter = Letter.objects.get(case=case)
    assert (letter.kind, letter.status, letter.author, letter.recipient) == (
        "message",
        Letter.Status.AWAITING_REVIEW,
        harmed,
        responsible,
    )
    assert list(letter.versions.values_list("number", "body")) == [(1, "Why did you do it?")]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "?letter=" in page  # the row offers its review


def test_a_letter_to_oneself_is_refused_by_field_on_the_page(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    harmed = parties(case, "harmed")[0]
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "letter"]),
        sent(case, kind="letter", author=harmed.pk, recipient=harmed.pk, body="Hello."),
    )
    assert response.status_code == 400
    assert "Choose someone other than the author." in response.content.decode()
    assert not Letter.objects.exists()


def test_the_timeline_tells_each_step_of_a_letter(world: World, client_for: Clients) -> None:
    case = letters_case(world)
    letter = write(world, case)
    _review(world, case, letter, "returned", comments="Shorter.")
    services.revise_letter(
        case=case, letter=letter, body="Sorry.", by=world["facilitator"], expected_version=None
    )
    deliver(world, case, approve(world, case, letter))
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    for step in ("written", "returned to its author", "revised", "approved", "delivered"):
        assert f"Letter from Rory0 Responsible to Hana0 Harmed {step}" in page, step


def test_a_reader_in_spanish_gets_the_section_and_the_refusal_in_spanish(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = approve(world, case, write(world, case))
    cases.record_consent(
        participant=parties(case, "harmed")[0],
        purpose=ConsentPurpose.INDIRECT,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["facilitator"],
        expected_version=None,
    )
    case.refresh_from_db()
    world["facilitator"].preferred_language = "es"
    world["facilitator"].save(update_fields=["preferred_language"])
    client = client_for("facilitator")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Cartas y mensajes" in page
    assert "Aprobada, aún sin entregar" in page
    response = client.post(
        reverse("cases:action", args=[case.reference, "letter_deliver"]),
        sent(
            case,
            letter=letter.pk,
            outcome="delivered",
            method="post",
            delivered_on=timezone.localdate().isoformat(),
        ),
    )
    assert response.status_code == 409
    assert "Hana0 Harmed" in response.content.decode()
    assert "comunicación indirecta" in response.content.decode()


def test_the_review_form_shows_the_text_and_the_revise_form_the_comments(
    world: World, client_for: Clients
) -> None:
    case = letters_case(world)
    letter = write(world, case, "Text <b>to</b> review.")
    client = client_for("facilitator")
    review = reverse("cases:action", args=[case.reference, "letter_review"])
    body = client.get(f"{review}?letter={letter.pk}").content.decode()
    assert "Text &lt;b&gt;to&lt;/b&gt; review." in body
    _review(world, case, letter, "returned", comments="Leave out <the> names.")
    revise = reverse("cases:action", args=[case.reference, "letter_revise"])
    body = client.get(f"{revise}?letter={letter.pk}").content.decode()
    assert "The facilitator&#x27;s comments: Leave out &lt;the&gt; names." in body
    assert "Text &lt;b&gt;to&lt;/b&gt; review." in body


def test_the_removal_marker_is_in_the_recipients_language_whatever_the_reviewer_reads(
    world: World,
) -> None:
    case = letters_case(world)
    harmed = parties(case, "harmed")[0]
    Person.objects.filter(pk=harmed.person_id).update(preferred_language="es")
    letter = approve(world, case, write(world, case, "Sorry. Dex helped me."), redact=("Dex",))
    assert (
        letter.versions.get().recipient_text == "Sorry. [eliminado por el facilitador] helped me."
    )

    other = write(
        world,
        case,
        "Sorry again. Dex helped.",
        author=harmed,
        recipient=parties(case, "responsible")[0],
    )
    with translation.override("es"):
        approved = approve(world, case, other, redact=("Dex",))
    assert (
        approved.versions.get().recipient_text
        == "Sorry again. [removed by the facilitator] helped."
    )


def test_a_letter_to_the_responsible_party_carrying_the_harmed_partys_address_is_not_approved(
    world: World,
) -> None:
    case = letters_case(world)
    harmed, responsible = parties(case, "harmed")[0], parties(case, "responsible")[0]
    body = "Come and say sorry at CANARY 1 Hidden Lane, or ring 0117 496 0000."
    letter = write(world, case, body, author=harmed, recipient=responsible)

    with pytest.raises(ValidationError) as refused:
        approve(world, case, letter)
    assert refused.value.message_dict["redact"] == [
        "The copy for Rory0 Responsible still contains the phone number of Hana0 Harmed. "
        "Remove it before approving.",
        "The copy for Rory0 Responsible still contains the address of Hana0 Harmed. "
        "Remove it before approving.",
    ]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.AWAITING_REVIEW

    approved = approve(world, case, letter, redact=("CANARY 1 Hidden Lane", "0117 496 0000"))
    assert approved.status == Letter.Status.APPROVED
    assert "Hidden Lane" not in approved.versions.get().recipient_text


def test_the_recipients_own_contact_details_may_stay_in_their_copy(world: World) -> None:
    case = letters_case(world)
    body = "I know you live at CANARY 1 Hidden Lane; I will not come there."
    letter = approve(world, case, write(world, case, body))
    assert letter.status == Letter.Status.APPROVED

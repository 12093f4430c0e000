"""Every write is made from what the person saw: stale forms are refused and say what
changed, and a form sent twice does its work once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.actions import ACTIONS
from mend.cases.models import Case, ConsentEntry, Participant, ProtectiveOrder, Referral
from mend.cases.stages import Stage
from mend.core.models import AuditEvent
from mend.processes.letter_services import review_version
from mend.programs.models import ConsentPurpose
from mend.testing.cases import consent_all, parties, submit, to_stage
from mend.testing.forms import sent
from mend.testing.letters import PDF, Upload, approve, attach, write
from mend.testing.meetings import default_room, held, plan
from mend.testing.personas import World

Clients = Callable[[str], Client]


def _person(role: str) -> Callable[[Case], Participant]:
    return lambda case: parties(case, role)[0]


@dataclass
class Sample:
    """How to open and fill one action's form: the stage it needs and what a person sends."""

    stage: str
    data: Callable[[World, Case], dict[str, Any]]
    person: Callable[[Case], Participant] | None = None
    persona: str = "coordinator"


def _eligibility(world: World, case: Case) -> dict[str, Any]:
    codes = case.program.eligibility_criteria.values_list("code", flat=True)
    return {**{f"criterion_{c}": "yes" for c in codes}, "reason": "Checked."}


def _today() -> str:
    return timezone.localdate().isoformat()


# One sample per action on the case page; a new action fails the test below until it has one.
SAMPLES: dict[str, Sample] = {
    "screen": Sample(Stage.REFERRAL, lambda w, c: {"reason": ""}),
    "eligibility": Sample(Stage.SCREENING, _eligibility),
    "link": Sample(
        Stage.SCREENING,
        lambda w, c: {"person": Participant.objects.exclude(case=c).first().person_id},  # type: ignore[union-attr]
        person=_person(Participant.Role.HARMED),
    ),
    "team": Sample(Stage.CONTACT, lambda w, c: {"lead": w["facilitator"].pk}),
    "accept": Sample(Stage.SCREENING, lambda w, c: {"reason": ""}),
    "decline": Sample(Stage.SCREENING, lambda w, c: {"reason": "other", "note": ""}),
    # Agreement needs a joint meeting held (a stage rule added by processes).
    "forward": Sample(Stage.PROCESS, lambda w, c: {"reason": "", **_met(w, c)}),
    "participant": Sample(
        Stage.CONTACT,
        lambda w, c: {"role": "community", "given_name": "Cam", "family_name": "Member"},
    ),
    "offer": Sample(
        Stage.CONTACT,
        lambda w, c: {"offered_on": _today(), "channel": "phone", "response": "interested"},
        person=_person(Participant.Role.HARMED),
    ),
    "consent": Sample(
        Stage.CONTACT,
        lambda w, c: {"contact": "given", "method": "verbal", "decided_on": _today()},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "assessment": Sample(
        Stage.PREPARATION,
        lambda w, c: {"assessed_on": _today(), "result": "suitable"},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "order": Sample(
        Stage.CONTACT,
        lambda w, c: {"kind": "no_contact", "starts_on": _today()},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "order_end": Sample(
        Stage.CONTACT,
        lambda w, c: {"order": _order(w, c).pk, "ends_on": _today()},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "order_permits": Sample(
        Stage.CONTACT,
        lambda w, c: {"order": _order(w, c).pk, "reason": "The court varied it."},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "order_permission_withdraw": Sample(
        Stage.CONTACT,
        lambda w, c: {"order": _order(w, c, permitted=True).pk},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "process": Sample(Stage.PREPARATION, lambda w, c: {"process": "mediation"}),
    "contact": Sample(
        Stage.CONTACT,
        lambda w, c: {"channel": "call", "contact_outcome": "no_answer"},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "contact_by": Sample(
        Stage.CONTACT,
        lambda w, c: {"volunteer": w["volunteer"].pk},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "note": Sample(Stage.CONTACT, lambda w, c: {"body": "Spoke to the school."}),
    "back": Sample(Stage.PREPARATION, lambda w, c: {"reason": ""}),
    "pause": Sample(
        Stage.PREPARATION,
        lambda w, c: {"requested_by": parties(c, "harmed")[0].pk, "reason": ""},
    ),
    "resume": Sample(Stage.PAUSED, lambda w, c: {}),
    "withdraw": Sample(
        Stage.CONTACT,
        lambda w, c: {"method": "verbal", "reason": ""},
        person=_person(Participant.Role.RESPONSIBLE),
    ),
    "close": Sample(Stage.CONTACT, lambda w, c: {"outcome": "unable_to_contact", "reason": ""}),
    # Added by the processes app through the registry.
    "meeting": Sample(Stage.PROCESS, lambda w, c: _meeting_form(w, c)),
    "meeting_held": Sample(
        Stage.PROCESS,
        lambda w, c: {
            "meeting": plan(w, c, starts_at=timezone.now() - timedelta(hours=3)).pk,
            "attended": [p.pk for p in parties(c)],
            "duration_minutes": 60,
        },
    ),
    "meeting_change": Sample(
        Stage.PROCESS,
        lambda w, c: {**_meeting_form(w, c), "meeting": plan(w, c).pk},
    ),
    "meeting_confirm": Sample(Stage.PROCESS, lambda w, c: {"meeting": plan(w, c).pk}),
    "conference_record": Sample(
        Stage.PROCESS, lambda w, c: {"meeting": held(w, c).pk, "harms": "Spoke of the fear."}
    ),
    "meeting_cancel": Sample(
        Stage.PROCESS, lambda w, c: {"meeting": plan(w, c).pk, "reason": "requested"}
    ),
    "letter": Sample(
        Stage.PROCESS,
        lambda w, c: {
            "kind": "letter",
            "author": parties(c, "responsible")[0].pk,
            "recipient": parties(c, "harmed")[0].pk,
            "body": "I am sorry.",
        },
    ),
    "letter_review": Sample(
        Stage.PROCESS, lambda w, c: {"letter": write(w, c).pk, "decision": "approved"}
    ),
    "letter_revise": Sample(
        Stage.PROCESS, lambda w, c: {"letter": _returned(w, c), "body": "Again."}
    ),
    "letter_deliver": Sample(Stage.PROCESS, lambda w, c: _delivery_form(w, c)),
    "letter_attach": Sample(
        Stage.PROCESS,
        lambda w, c: {"letter": write(w, c).pk, "file": Upload("scan.pdf", PDF)},
    ),
    "letter_attachment_remove": Sample(
        Stage.PROCESS, lambda w, c: {"attachment": attach(w, c, write(w, c)).pk}
    ),
}


def _order(world: World, case: Case, *, permitted: bool = False) -> ProtectiveOrder:
    order = services.record_order(
        participant=parties(case, Participant.Role.RESPONSIBLE)[0],
        kind="no_contact",
        starts_on=timezone.localdate(),
        by=world["coordinator"],
        expected_version=None,
    )
    if permitted:
        services.permit_meeting(
            order=order,
            reason="The court varied it.",
            by=world["coordinator"],
            expected_version=None,
        )
    return order


def _met(world: World, case: Case) -> dict[str, Any]:
    held(world, case)
    return {}


def _returned(world: World, case: Case) -> int:
    letter = write(world, case)
    review_version(
        case=case,
        letter=letter,
        decision="returned",
        comments="Shorter, please.",
        by=world["facilitator"],
        expected_version=None,
    )
    return letter.pk


def _delivery_form(world: World, case: Case) -> dict[str, Any]:
    consent_all(world, case, ConsentPurpose.INDIRECT)
    letter = approve(world, case, write(world, case))
    return {"letter": letter.pk, "outcome": "delivered", "method": "post", "delivered_on": _today()}


def _meeting_form(world: World, case: Case) -> dict[str, Any]:
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    start = timezone.now() + timedelta(days=3)
    return {
        "room": default_room(case, start, start).pk,
        "kind": "conference",
        "starts_at": f"{day}T10:00",
        "ends_at": f"{day}T11:30",
        "venue_kind": "room",
        "venue": "Room 1",
        "lead": world["facilitator"].pk,
        "invitees": [p.pk for p in parties(case)],
    }


def test_every_action_has_a_stale_form_sample() -> None:
    assert set(SAMPLES) == set(ACTIONS)


def _case_at(world: World, stage: str) -> Case:
    submit(world)  # someone already known, for "link"
    case = _reach(world, submit(world), stage)
    services.assign_team(
        case=case,
        lead=world["facilitator"],
        co_facilitators=[],
        volunteers=[world["volunteer"]],
        by=world["coordinator"],
        expected_version=None,
    )
    return case


def _reach(world: World, case: Case, stage: str) -> Case:
    if stage == Stage.PAUSED:
        to_stage(world, case, Stage.PREPARATION)
        services.pause_case(
            case=case,
            requested_by=parties(case, "harmed")[0],
            reason="",
            by=world["facilitator"],
            expected_version=None,
        )
        return case
    if stage == Stage.SCREENING:
        services.move_case(
            case=case, to=Stage.SCREENING, by=world["coordinator"], expected_version=None
        )
        return case
    return to_stage(world, case, stage)


def _snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.stage,
        case.version,
        case.planned_process,
        case.lead_facilitator_id,
        case.eligibility,
        case.participants.count(),
        case.participants.filter(status="active").count(),
        ConsentEntry.objects.filter(participant__case=case).count(),
        case.notes.count(),
        case.stage_changes.count(),
        case.eligibility_decisions.count(),
        sum(p.offers.count() + p.assessments.count() for p in case.participants.all()),
        tuple(case.participants.values_list("person_id", "contact_by_id")),
    )


def _url(case: Case, name: str, sample: Sample) -> str:
    url = reverse("cases:action", args=[case.reference, name])
    if sample.person is not None:
        url += f"?participant={sample.person(case).pk}"
    return url


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_action_refuses_a_stale_form(name: str, world: World, client_for: Clients) -> None:
    sample = SAMPLES[name]
    case = _case_at(world, sample.stage)
    if name == "accept":
        services.decide_eligibility(
            case=case,
            answers=dict.fromkeys(
                case.program.eligibility_criteria.values_list("code", flat=True), True
            ),
            reason="Checked.",
            by=world["coordinator"],
            expected_version=None,
        )
    case.refresh_from_db()
    opened = sent(case, **sample.data(world, case))
    # A colleague changes the case after the form was opened.
    services.add_note(case=case, body="Meanwhile.", by=world["facilitator"], expected_version=None)
    before = _snapshot(case)
    client = client_for(sample.persona)
    response = client.post(_url(case, name, sample), opened)
    assert response.status_code == 409, response.content.decode()[:2000]
    body = response.content.decode()
    assert "Since you opened this form:" in body
    assert "Facilitator added a note to the case at" in body
    assert _snapshot(case) == before
    # The same form opened now goes through: it was refused for being stale, nothing else.
    fresh = client.post(_url(case, name, sample), {**opened, **sent(case)})
    assert fresh.status_code == 302, fresh.content.decode()[:3000]


def test_a_stale_form_names_the_change_that_was_made_meanwhile(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    harmed = parties(case, Participant.Role.HARMED)[0]
    opened = sent(case, assessed_on=timezone.localdate().isoformat(), result="suitable")
    services.record_consent(
        participant=harmed,
        purpose=ConsentPurpose.FACE_TO_FACE,
        decision=ConsentEntry.Decision.WITHDRAWN,
        method=ConsentEntry.Method.VERBAL,
        decided_on=timezone.localdate(),
        by=world["coordinator"],
        expected_version=None,
    )
    url = reverse("cases:action", args=[case.reference, "assessment"])
    response = client_for("facilitator").post(f"{url}?participant={harmed.pk}", opened)
    assert response.status_code == 409
    body = response.content.decode()
    at = timezone.localtime(
        AuditEvent.objects.filter(action="consent.withdrawn").latest("id").occurred_at,
        ZoneInfo(case.program.time_zone),
    ).strftime("%H:%M")
    assert (
        f"Coordinator recorded that Hana0 Harmed withdrew consent to meet face to face"
        f" in the case at {at}." in body
    )
    assert "moved the case back to assessment and preparation automatically" in body.lower()
    assert "Nothing was saved." in body


def test_a_stale_assessment_form_does_not_override_a_newer_not_suitable(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.PROCESS)
    responsible = parties(case, Participant.Role.RESPONSIBLE)[0]
    opened = sent(case, assessed_on=timezone.localdate().isoformat(), result="suitable")
    services.record_assessment(
        participant=responsible,
        assessed_on=timezone.localdate(),
        result="not_suitable",
        answers={},
        by=world["coordinator"],
        expected_version=None,
    )
    url = reverse("cases:action", args=[case.reference, "assessment"])
    response = client_for("facilitator").post(f"{url}?participant={responsible.pk}", opened)
    assert response.status_code == 409
    latest = responsible.assessments.order_by("-id").first()
    assert latest is not None and latest.result == "not_suitable"


# --- Sent twice, saved once -----------------------------------------------------------------


def test_a_note_sent_twice_is_saved_once(world: World, client_for: Clients) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    client = client_for("facilitator")
    form = sent(case, body="Left a message with the school.")
    url = reverse("cases:action", args=[case.reference, "note"])
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == case.get_absolute_url()
    assert case.notes.filter(kind="note").count() == 1
    assert "This was already saved." in client.get(second["Location"]).content.decode()


def test_a_person_added_twice_by_a_double_click_is_added_once(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    client = client_for("facilitator")
    form = sent(case, role="community", given_name="Cam", family_name="Member")
    url = reverse("cases:action", args=[case.reference, "participant"])
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert case.participants.filter(role="community").count() == 1


def test_a_referral_sent_twice_is_received_once(world: World, client_for: Clients) -> None:
    from mend.cases.tests.test_pages import referral_post

    client = client_for("referrer")
    form = referral_post(world)
    first = client.post(reverse("cases:new_referral"), form)
    second = client.post(reverse("cases:new_referral"), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Referral.objects.count() == 1


def test_a_form_without_its_token_is_refused_in_words(world: World, client_for: Clients) -> None:
    case = to_stage(world, submit(world), Stage.CONTACT)
    response = client_for("facilitator").post(
        reverse("cases:action", args=[case.reference, "note"]),
        {"version": case.version, "body": "x"},
    )
    assert response.status_code == 400
    assert "This form is out of date. Reload the page and try again." in (response.content.decode())


def test_a_withdrawal_records_why_as_a_code_and_an_unknown_code_changes_nothing(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.CONTACT)
    leaving = parties(case, Participant.Role.HARMED)[1]
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "withdraw"]) + f"?participant={leaving.pk}"
    page = client.get(url).content.decode()
    assert "Why they withdrew" in page and "Worried about their safety or wellbeing" in page
    bad = client.post(url, sent(case, method="verbal", reason="", reason_code="bored"))
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    leaving.refresh_from_db()
    assert leaving.status == Participant.Status.ACTIVE
    good = client.post(url, sent(case, method="verbal", reason="", reason_code="safety"))
    assert good.status_code == 302
    leaving.refresh_from_db()
    assert leaving.withdrawal_reason_code == "safety"
    timeline = client.get(case.get_absolute_url()).content.decode()
    assert "Worried about their safety or wellbeing" in timeline


def test_a_repeated_withdrawal_is_refused_in_the_users_words(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world, harmed=2), Stage.CONTACT)
    leaving = parties(case, Participant.Role.HARMED)[1]
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "withdraw"]) + f"?participant={leaving.pk}"
    form = sent(case, method="verbal", reason="")
    assert client.post(url, form).status_code == 302
    # The same form from another tab, after the page was reloaded there.
    case.refresh_from_db()
    again = client.post(url, {**form, **sent(case)})
    body = again.content.decode()
    assert "Select a valid choice" not in body
    assert again.status_code == 409
    assert f"This no longer applies to {leaving.person}. Nothing was saved." in body
    assert "Who is it about?" in body  # withdrawing no longer applies to them
    # The same form sent from the page as it was before the withdrawal: what changed, by whom.
    stale = client.post(url, form).content.decode()
    assert "withdrew" in stale and "Facilitator" in stale
    client.post(reverse("accounts:set_language"), {"language": "es"})
    spanish = client.post(url, {**form, **sent(case)}).content.decode()
    assert "¿A quién se refiere?" in spanish

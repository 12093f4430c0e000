"""No-contact and protective orders on the case page: the sentence that blocks a joint
meeting is the one the page shows, only a coordinator records that an order permits it,
and the page costs the same however many orders there are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mend.cases import services
from mend.cases.models import Case, Participant, ProtectiveOrder
from mend.cases.services import Blocked
from mend.cases.stages import Stage
from mend.programs.models import ProcessType
from mend.testing.cases import parties, submit, to_stage
from mend.testing.forms import sent
from mend.testing.meetings import plan
from mend.testing.personas import World

Clients = Callable[[str], Client]

SENTENCE = (
    "Rory0 Responsible has an active no-contact order: a joint meeting needs a "
    "coordinator&#x27;s record that the order permits it."
)


def _in_process(world: World) -> Case:
    return to_stage(world, submit(world), Stage.PROCESS)


def _responsible(case: Case) -> Participant:
    return parties(case, Participant.Role.RESPONSIBLE)[0]


def _order(world: World, case: Case, **kwargs: object) -> ProtectiveOrder:
    fields: dict[str, object] = {
        "kind": ProtectiveOrder.Kind.NO_CONTACT,
        "starts_on": timezone.localdate() - timedelta(days=30),
        "notes": "ORDER-TERMS-CANARY",
        **kwargs,
    }
    return services.record_order(
        participant=_responsible(case),
        by=world["facilitator"],
        expected_version=None,
        **fields,  # type: ignore[arg-type]
    )


def _blockers(page: str) -> str:
    start = page.index('id="blockers-heading"')
    return page[start : page.index("</section>", start)]


def test_the_case_page_shows_the_sentence_the_meeting_gate_refuses_with(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    _order(world, case)
    with pytest.raises(Blocked) as refused:
        plan(world, case)
    assert SENTENCE.replace("&#x27;", "'") in refused.value.messages
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert SENTENCE in _blockers(page)
    assert f'id="orders-{_responsible(case).pk}"' in page


def test_in_an_indirect_process_the_order_is_shown_but_blocks_no_step(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    services.choose_process(
        case=case, process=ProcessType.SHUTTLE, by=world["facilitator"], expected_version=None
    )
    _order(world, case)
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert SENTENCE not in _blockers(page)
    assert f'id="orders-{_responsible(case).pk}"' in page


def test_a_coordinator_records_with_a_reason_that_the_order_permits_a_meeting(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    order = _order(world, case)
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "order_permits"])
    url += f"?participant={_responsible(case).pk}"
    client = client_for("coordinator")
    assert client.get(url).status_code == 200
    response = client.post(url, sent(case, order=order.pk, reason="The court varied it."))
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert order.permits_meeting and order.permitted_by == world["coordinator"]
    page = client.get(case.get_absolute_url()).content.decode()
    assert SENTENCE not in page
    assert "The court varied it." in page


def test_an_empty_reason_is_refused_on_its_field_and_nothing_is_saved(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    order = _order(world, case)
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.reference, "order_permits"])
    url += f"?participant={_responsible(case).pk}"
    response = client_for("coordinator").post(url, sent(case, order=order.pk, reason="  "))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_error"' in body
    assert "Say why the order permits a joint meeting." in body
    order.refresh_from_db()
    assert not order.permits_meeting


def test_a_facilitator_cannot_record_that_an_order_permits_a_meeting(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    order = _order(world, case)
    case.refresh_from_db()
    client = client_for("facilitator")
    url = reverse("cases:action", args=[case.reference, "order_permits"])
    assert url not in client.get(case.get_absolute_url()).content.decode()
    response = client.post(
        f"{url}?participant={_responsible(case).pk}",
        sent(case, order=order.pk, reason="I think it is fine."),
    )
    assert response.status_code == 302
    assert "That is not possible for this case now." in client.get(response.url).content.decode()
    with pytest.raises(Blocked) as refused:
        services.permit_meeting(
            order=order,
            reason="I think it is fine.",
            by=world["facilitator"],
            expected_version=None,
        )
    assert refused.value.messages == [
        "Only a coordinator can record whether an order permits a meeting."
    ]
    order.refresh_from_db()
    assert not order.permits_meeting


def test_an_ended_order_is_no_longer_shown_and_blocks_nothing(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    order = _order(world, case)
    services.end_order(
        order=order, ends_on=timezone.localdate(), by=world["facilitator"], expected_version=None
    )
    page = client_for("facilitator").get(case.get_absolute_url()).content.decode()
    assert SENTENCE not in page
    assert f'id="orders-{_responsible(case).pk}"' not in page


def test_an_order_cannot_end_before_it_starts(world: World) -> None:
    case = _in_process(world)
    order = _order(world, case)
    with pytest.raises(ValidationError) as refused:
        services.end_order(
            order=order,
            ends_on=order.starts_on - timedelta(days=1),
            by=world["facilitator"],
            expected_version=None,
        )
    assert refused.value.message_dict == {"ends_on": ["An order cannot end before it starts."]}


def test_the_order_terms_are_for_the_case_staff_and_never_for_the_referrer(
    world: World, client_for: Clients
) -> None:
    case = _in_process(world)
    _order(world, case)
    case.assignments.get_or_create(user=world["volunteer"], role="volunteer")
    assert (
        "ORDER-TERMS-CANARY"
        in client_for("facilitator").get(case.get_absolute_url()).content.decode()
    )
    volunteer = client_for("volunteer").get(case.get_absolute_url()).content.decode()
    assert SENTENCE in volunteer
    assert "ORDER-TERMS-CANARY" not in volunteer
    referrer = client_for("referrer")
    page = referrer.get(reverse("cases:referral_detail", args=[case.referral_id])).content.decode()
    assert "ORDER-TERMS-CANARY" not in page and "no-contact order" not in page
    assert referrer.get(case.get_absolute_url()).status_code == 404


def _page_queries(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_queries_with_1_or_10_orders(
    world: World, client_for: Clients
) -> None:
    case = to_stage(world, submit(world, harmed=3), Stage.PROCESS)
    people = list(case.participants.all())
    client = client_for("coordinator")
    _order(world, case)
    few = _page_queries(client, case)
    for i in range(9):
        services.record_order(
            participant=people[i % len(people)],
            kind=ProtectiveOrder.Kind.PROTECTIVE,
            starts_on=timezone.localdate() - timedelta(days=i),
            by=world["facilitator"],
            expected_version=None,
        )
    assert _page_queries(client, case) == few

"""A number sent in a form or an address is a number only if Python can read it as one:
"²" and "٣" pass str.isdigit() yet int("²") fails, which once made a 500. Every such
parameter gets a page, never a traceback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mend.cases.stages import Stage
from mend.testing.cases import submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

ODD = ["²", "¹²", "٣", "Ⅻ", "99999999999999999999999", "9" * 5000]


@pytest.mark.parametrize("odd", ODD)
def test_a_person_or_version_given_as_an_odd_number_gets_a_page_never_a_500(
    odd: str, world: World, client_for
) -> None:
    case = to_stage(world, submit(world), Stage.PREPARATION)
    client = client_for("coordinator")
    action = reverse("cases:action", args=[case.reference, "consent"])
    assert client.get(action, {"participant": odd, "guardian": odd}).status_code < 500
    sent = {"participant": odd, "guardian": odd, "version": odd, "opened_on": odd}
    assert client.post(action, sent).status_code < 500
    draft = reverse("agreements:draft", args=[case.reference])
    assert client.get(draft, {"meeting": odd}).status_code < 500
    counts = {"harmed-TOTAL_FORMS": odd, "add_harmed": "1"}
    assert client.post(reverse("cases:new_referral"), counts).status_code < 500


@pytest.mark.parametrize("amount", ["1e30", "9E+99", "-1e30", "1e-30"])
def test_an_amount_far_out_of_range_gets_a_field_message(amount: str) -> None:
    from django.core.exceptions import ValidationError

    from mend.agreements.services import money

    with pytest.raises(ValidationError) as error:
        money(amount)
    assert "amount" in error.value.message_dict


@pytest.mark.parametrize("typed", ["9e999999", "1e30", "2000.5"])
def test_hours_far_out_of_range_are_not_a_number_of_hours(typed: str) -> None:
    from mend.agreements.agreement_forms import _hours

    assert _hours(typed) is None

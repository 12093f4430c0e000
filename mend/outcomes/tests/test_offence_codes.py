"""A program maps its offence categories to a national list, and reports count referrals
by national code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mend.outcomes import measures
from mend.outcomes.models import NationalOffenceCode, settings_of
from mend.testing.outcomes import Q1, build_history
from mend.testing.personas import World

pytestmark = pytest.mark.django_db

URL = "outcomes:offence_codes"


def post(client: Client, data: dict[str, str]) -> int:
    form = client.get(reverse(URL)).context["form"]
    return client.post(reverse(URL), {**form.initial, **data}).status_code


def test_referrals_are_counted_by_the_national_code_their_category_is_mapped_to(
    client: Client, world: World
) -> None:
    build_history(world)
    theft = world.program.offence_categories.get(code="theft")
    client.force_login(world["program_admin"])
    assert post(client, {"code_list": "nibrs"}) == 302
    assert post(client, {f"category_{theft.pk}": "23H"}) == 302
    referrals = measures.require("referrals")
    assert referrals.breakdown(world.program, Q1, "national_code") == {"23H": 3}
    assert referrals.records(world.program, Q1, national_code="23H").count() == 3


def test_a_code_not_in_the_list_is_refused_with_nothing_saved(client: Client, world: World) -> None:
    theft = world.program.offence_categories.get(code="theft")
    client.force_login(world["program_admin"])
    assert post(client, {"code_list": "nibrs"}) == 302
    assert post(client, {f"category_{theft.pk}": "no-such"}) == 400
    assert not NationalOffenceCode.objects.exists()


def test_changing_the_list_clears_the_codes_of_the_old_one(client: Client, world: World) -> None:
    theft = world.program.offence_categories.get(code="theft")
    client.force_login(world["program_admin"])
    post(client, {"code_list": "nibrs"})
    post(client, {f"category_{theft.pk}": "23H"})
    assert post(client, {"code_list": "home_office"}) == 302
    assert not NationalOffenceCode.objects.exists()
    assert settings_of(world.program).offence_code_list == "home_office"
    assert post(client, {f"category_{theft.pk}": "other_theft"}) == 302
    assert NationalOffenceCode.objects.get().code == "other_theft"


def test_only_administrators_map_offence_codes(client: Client, world: World) -> None:
    client.force_login(world["coordinator"])
    assert client.get(reverse(URL)).status_code == 403

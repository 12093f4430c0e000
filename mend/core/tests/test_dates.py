"""One rule for dates people enter: the referral form and the partner API refuse the same."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from mend.api.tests.conftest import make_partner, referral_body
from mend.cases.models import Referral
from mend.cases.tests.test_pages import Clients, referral_post
from mend.core.dates import EARLIEST, plausible_date, years_from
from mend.testing.personas import World


def _bad_dates() -> list[str]:
    today = timezone.localdate()
    return ["0001-01-01", "1899-12-31", (today + timedelta(days=1)).isoformat(), "9999-12-31"]


@pytest.mark.parametrize("day", _bad_dates())
def test_the_form_and_the_api_refuse_the_same_implausible_incident_dates(
    world: World, client_for: Clients, day: str
) -> None:
    form = client_for("referrer").post("/referrals/new/", referral_post(world, incident_date=day))
    assert form.status_code == 400
    assert 'id="id_incident_date_error"' in form.content.decode()
    api = make_partner(world).send(referral_body(incident_date=day))
    assert api.status_code == 422
    fields = [error["field"] for error in api.json()["errors"]]
    assert fields == ["incident_date"]
    assert not Referral.objects.exists()


def test_the_earliest_and_latest_plausible_dates_are_accepted(db: None) -> None:
    today = timezone.localdate()
    assert plausible_date(EARLIEST, past=True) == EARLIEST
    assert plausible_date(today, past=True) == today
    assert plausible_date(years_from(today, 5)) == years_from(today, 5)


def test_a_leap_day_five_years_on_is_the_28th_of_february() -> None:
    assert years_from(date(2028, 2, 29), 5) == date(2033, 2, 28)

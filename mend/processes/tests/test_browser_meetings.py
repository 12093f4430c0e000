"""A conference in a real browser: planned with both parties and a support person, refused
until the support person's assessment is recorded, then confirmed, held with attendance,
and its record written, all by clicks and typing on the case page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from mend.cases import services as cases
from mend.cases.models import ConsentEntry, Participant
from mend.cases.stages import Stage
from mend.cases.tests.test_browser_case_flow import do_action, expect_done, sign_in
from mend.processes import venue_services
from mend.processes.models import ConferenceRecord, Meeting
from mend.programs.models import ConsentPurpose
from mend.testing.cases import parties, submit, to_stage
from mend.testing.personas import World

pytestmark = pytest.mark.browser

SUPPORT = "Sam Support"


def _case_with_a_support_person(world: World) -> Any:
    case = to_stage(world, submit(world), Stage.PROCESS)
    supporter = cases.add_participant(
        case=case,
        party=cases.PartyDetails(given_name="Sam", family_name="Support"),
        role=Participant.Role.SUPPORTER,
        supports=parties(case, "harmed")[0],
        # Not yet counted among those taking part, so the case stays in the process: the
        # meeting's own gate is what must stop them being invited unassessed.
        takes_part=False,
        by=world["facilitator"],
        expected_version=None,
    )
    for purpose in (ConsentPurpose.CONTACT, ConsentPurpose.FACE_TO_FACE):
        cases.record_consent(
            participant=supporter,
            purpose=purpose,
            decision=ConsentEntry.Decision.GIVEN,
            method=ConsentEntry.Method.VERBAL,
            decided_on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
        )
    case.refresh_from_db()
    return case


def _plan(page: Any, start: str, end: str) -> Any:
    page.locator("section#meetings").get_by_role("link", name="Plan a meeting").click()
    form = page.locator("main form")
    form.get_by_label("Kind of meeting", exact=True).select_option(label="Restorative conference")
    form.get_by_label("Starts", exact=True).fill(start)
    form.get_by_label("Ends", exact=True).fill(end)
    form.get_by_label("Where", exact=True).select_option(label="A room")
    form.locator("#id_room").select_option(label="Garden Room (holds 10)")
    for label in form.get_by_role("group", name="Who is invited").locator("label").all():
        label.click()
    form.get_by_role("button", name="Plan a meeting").click()
    return form


def test_a_conference_is_refused_until_the_support_person_is_assessed_then_held_and_recorded(
    live_server: Any, page: Any, world: World
) -> None:
    from playwright.sync_api import expect

    case = _case_with_a_support_person(world)
    venue_services.add_venue(
        program=world.program, name="Garden Room", capacity=10, by=None, expected_version=None
    )
    zone = ZoneInfo(world.program.time_zone)
    # It began an hour ago, so that it can be recorded as held at the end of the test.
    start = timezone.localtime(timezone.now() - timedelta(hours=1), zone).replace(second=0)
    end = start + timedelta(hours=2)
    sign_in(page, live_server.url, "facilitator")
    page.goto(live_server.url + case.get_absolute_url())
    expect(page.locator("#meetings-none")).to_be_visible()

    _plan(page, f"{start:%Y-%m-%dT%H:%M}", f"{end:%Y-%m-%dT%H:%M}")
    expect(page.locator(".usa-error-summary, .usa-alert--error").first).to_contain_text(
        f"{SUPPORT} has no current safety assessment."
    )
    assert not Meeting.objects.exists()

    page.goto(live_server.url + case.get_absolute_url())
    do_action(page, "Record a safety assessment", person=SUPPORT, check={"Result": "Suitable"})
    expect_done(page, "The safety assessment was recorded.")

    _plan(page, f"{start:%Y-%m-%dT%H:%M}", f"{end:%Y-%m-%dT%H:%M}")
    expect_done(page, "The meeting is planned for")
    meeting = Meeting.objects.get()
    row = page.locator(f"#meeting-{meeting.pk}")
    expect(row).to_contain_text("Garden Room")
    expect(row).to_contain_text(SUPPORT)

    row.get_by_role("link", name=re.compile("^Confirm the meeting of")).click()
    page.locator("main form").get_by_role("button", name="Confirm a meeting").click()
    expect_done(page, "The meeting is confirmed.")
    expect(row).to_contain_text("Confirmed")

    row.get_by_role("link", name=re.compile("^Record that the meeting of")).click()
    form = page.locator("main form")
    for label in form.get_by_role("group", name="Who came").locator("label").all():
        label.click()
    form.get_by_label(re.compile("^How long it lasted")).fill("95")
    form.get_by_role("button", name="Record that it was held").click()
    expect_done(page, "The meeting is recorded as held.")
    expect(row).to_contain_text("95 minutes")

    row.get_by_role("link", name=re.compile("^Record the conference of")).click()
    form = page.locator("main form")
    form.get_by_label(re.compile("^The harms described")).fill("The bike was how Hana got to work.")
    form.get_by_label(re.compile("^What was agreed in outline")).fill("Repair the bike; a letter.")
    form.get_by_role("button", name="Record the conference").click()
    expect_done(page, "The conference record is saved.")
    record = page.locator(f"#meeting-{meeting.pk}-record")
    expect(record).to_contain_text("The bike was how Hana got to work.")
    expect(record).to_contain_text("Repair the bike; a letter.")
    assert ConferenceRecord.objects.get().meeting == meeting

    # The meeting's own page tells the same story.
    page.locator(f"#meeting-{meeting.pk}").get_by_role("link").first.click()
    expect(page.locator("#meeting-status")).to_have_text("Held")
    expect(page.locator("#meeting-invitees")).to_contain_text(SUPPORT)
    expect(page.locator("#meeting-record")).to_contain_text("Repair the bike; a letter.")

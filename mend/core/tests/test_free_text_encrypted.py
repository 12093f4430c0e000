"""Free text that can hold what a participant said never reaches the database in plaintext.

Two checks. Every text column of Mend's models is either encrypted or listed below as
plain by design, with the reason, so a new plaintext column fails until someone decides.
And a canary written through the services into every free-text input, then into every
encrypted column of every row, is found nowhere when the raw database is read back.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from mend.cases import services
from mend.cases.models import ConsentEntry, Participant
from mend.core.fields import EncryptedTextField
from mend.programs.models import ConsentPurpose
from mend.testing.cases import make_specialist, parties, screen, submit, to_stage
from mend.testing.personas import World

CANARY = "CANARY-SAID-IN-CONFIDENCE-7731"

# Columns that stay plaintext on purpose. Names stay searchable; codes and references are
# not anything a person said; the referrer's details are their own work contact details.
PLAIN_BY_DESIGN = {
    "core.auditevent.actor_label": "the username at the time",
    "core.auditevent.action": "a code",
    "core.auditevent.object_type": "a code",
    "core.auditevent.object_id": "an id",
    "core.auditevent.subject_type": "a code",
    "core.auditevent.subject_id": "an id",
    "core.sentform.token": "a random token",
    "core.sentform.result_url": "a page address",
    "accounts.user.password": "a hash",
    "accounts.user.username": "staff account",
    "accounts.user.first_name": "staff account",
    "accounts.user.last_name": "staff account",
    "accounts.user.email": "staff account",
    "programs.program.contact_phone": "the program's own public contact",
    "programs.program.contact_email": "the program's own public contact",
    "programs.invitation.email": "a staff member being invited",
    "programs.invitation.full_name": "a staff member being invited",
    "programs.invitation.token_hash": "a hash",
    "core.refusalwindow.kind": "a code",
    "core.refusalwindow.address": "a client address, as the audit trail keeps it",
    "accounts.user.full_name": "staff account",
    "accounts.usersession.session_key": "a session key",
    "programs.program.name": "program settings",
    "programs.program.slug": "program settings",
    "programs.program.reference_prefix": "program settings",
    "programs.program.time_zone": "program settings",
    "programs.agency.name": "program settings",
    "programs.offencecategory.code": "program settings",
    "programs.offencecategory.label": "program settings",
    "programs.offencecategory.label_es": "program settings",
    "programs.eligibilitycriterion.code": "program settings",
    "programs.eligibilitycriterion.label": "program settings",
    "programs.eligibilitycriterion.label_es": "program settings",
    "cases.person.given_name": "names are searched, for duplicates and the case list",
    "cases.person.search_name": "the name as searched, folded: as plain as the name",
    "outcomes.reoffendingcheck.source_reference": "a police or court record's reference",
    "cases.referral.area": "a district or neighbourhood, counted in reports; never an address",
    "cases.referral.precinct": "a police precinct or beat, counted in reports",
    "outcomes.nationaloffencecode.code": "a code of a national list",
    "outcomes.incidentimport.file_name": "the name of the file a coordinator uploaded",
    "outcomes.importedincident.given_name": "names are compared, to suggest matches",
    "outcomes.importedincident.family_name": "names are compared, to suggest matches",
    "outcomes.importedincident.incident_reference": "a police record's reference",
    "cases.person.family_name": "names are searched, for duplicates and the case list",
    "cases.person.preferred_language": "a language code",
    "processes.venue.name": "a room of the program: not about a person",
    "processes.venue.access_notes": "how to reach a room of the program: not about a person",
    "processes.meeting.interpreter_language": "a language code",
    "processes.meetingnotice.sent_fingerprint": "a hash of a meeting's time and place",
    "processes.calendarfeed.token_hash": "a SHA-256 hash, looked up",
    "processes.letterattachment.stored_name": "a random file name",
    "processes.letterattachment.content_type": "a type found from the content",
    "processes.letterattachment.sha256": "a hash of the file's content",
    "agreements.agreementsettings.currency": "a currency code",
    "agreements.term.currency": "a currency code",
    "agreements.placement.organisation": "a partner organisation: not about a participant",
    "agreements.placement.name": "a worksite of a partner: not about a participant",
    "agreements.placement.address": "a public worksite's address: never a person's home",
    "agreements.placement.contact_name": "the partner's own contact at work",
    "agreements.placement.contact_email": "the partner's own contact at work",
    "agreements.placement.contact_phone": "the partner's own contact at work",
    "agreements.placement.verify_token_hash": "a SHA-256 hash, looked up",
    "agreements.term.provider": "an organisation running a program",
    "agreements.term.confirmed_by": "the provider's own member of staff",
    "agreements.signature.scan_name": "a random file name",
    "agreements.signature.scan_type": "a type found from the content",
    "agreements.payment.receipt": "a receipt's reference number",
    "agreements.servicesession.verifier_name": "the placement's own member of staff",
    "cases.referral.referrer_name": "the referrer's own work details",
    "cases.referral.referrer_email": "the referrer's own work details",
    "cases.referral.referrer_phone": "the referrer's own work details",
    "cases.referral.referrer_staff_id": "the referrer's own work details",
    "cases.referral.incident_reference": "the agency's reference, searched",
    "cases.case.reference": "the case reference",
    "cases.consententry.purpose": "a code",
    "outcomes.surveyquestion.code": "a code",
    "outcomes.surveyquestion.text": "a survey question the program wrote",
    "outcomes.surveyquestion.text_es": "a survey question the program wrote",
    "outcomes.surveyinvitation.role": "a code",
    "outcomes.surveyinvitation.token_hash": "a SHA-256 hash, looked up",
    "outcomes.surveyinvitation.reminder_token_hash": "a SHA-256 hash, looked up",
    "outcomes.surveylink.token_hash": "a SHA-256 hash, looked up",
    "outcomes.surveyresponse.role": "a code",
    "outcomes.surveyresponse.language": "a code",
    "outcomes.surveyanswer.code": "a code",
    "outcomes.surveyanswer.choice": "a code from the answer scale (free text is encrypted)",
    "partners.apikey.name": "a partner system's name",
    "partners.apikey.prefix": "the public part of a key",
    "partners.apikey.hashed_secret": "a hash",
    "partners.idempotentrequest.key": "a partner's retry key",
    "partners.idempotentrequest.fingerprint": "a hash",
    "partners.webhookendpoint.url": "a partner's address",
    "partners.webhookdelivery.event": "a code",
    "partners.webhookdelivery.last_error": "the partner server's error, not case data",
}


def mend_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("mend.") and ".tests." not in m.__module__
    ]


def test_every_text_column_is_encrypted_or_plain_by_design() -> None:
    undecided = []
    for model in mend_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            name = f"{model._meta.label_lower}.{field.name}"
            if isinstance(field, EncryptedTextField) or field.choices or name in PLAIN_BY_DESIGN:
                continue
            undecided.append(name)
    assert undecided == [], (
        f"Encrypt these columns (EncryptedTextField) or add them to PLAIN_BY_DESIGN with the "
        f"reason: {undecided}"
    )


def _fill_every_input(world: World) -> None:
    """One of each record, with the canary in everything a person types."""
    make_specialist(world)
    case = submit(world)
    harmed = parties(case, Participant.Role.HARMED)[0]
    person = harmed.person
    person.accessibility_needs = CANARY
    person.save()
    screen(world, case, override="")
    services.move_case(
        case=case, to="contact", by=world["coordinator"], reason=CANARY, expected_version=None
    )
    services.record_consents(
        participant=harmed,
        decisions={ConsentPurpose.CONTACT: ConsentEntry.Decision.GIVEN},
        method=ConsentEntry.Method.WRITTEN,
        decided_on=timezone.localdate(),
        note=CANARY,
        offer=services.OfferDetails(timezone.localdate(), "phone"),
        by=world["facilitator"],
        expected_version=None,
    )
    services.record_contact(
        case=case,
        participant=harmed,
        channel="call",
        outcome="reached",
        body=CANARY,
        by=world["facilitator"],
        expected_version=None,
    )
    services.add_note(case=case, body=CANARY, by=world["facilitator"], expected_version=None)
    services.record_assessment(
        participant=harmed,
        assessed_on=timezone.localdate(),
        result="with_conditions",
        conditions=CANARY,
        answers={"risk_of_harm": CANARY},
        by=world["facilitator"],
        expected_version=None,
    )
    services.close_case(
        case=case,
        outcome="unable_to_contact",
        reason=CANARY,
        by=world["facilitator"],
        expected_version=None,
    )
    special = submit(world, category="domestic_abuse", harmed=2)
    screen(world, special, override=CANARY)
    services.withdraw_participant(
        participant=parties(special, Participant.Role.HARMED)[1],
        method="verbal",
        reason=CANARY,
        by=world["facilitator"],
        expected_version=None,
    )
    declined = screen(world, submit(world))
    services.decline_referral(
        case=declined, reason="other", note=CANARY, by=world["coordinator"], expected_version=None
    )
    to_stage(world, submit(world), "agreement")
    _write_a_letter(world)


def _write_a_letter(world: World) -> None:
    """A letter returned with comments, revised and approved: every text of it typed."""
    from mend.processes import letter_services as letters

    case = to_stage(world, submit(world), "process")
    by = world["facilitator"]
    letter = letters.draft_letter(
        case=case,
        author=parties(case, Participant.Role.RESPONSIBLE)[0],
        recipient=parties(case, Participant.Role.HARMED)[0],
        body=CANARY,
        by=by,
        expected_version=None,
    )
    letters.review_version(
        case=case, letter=letter, decision="returned", comments=CANARY, by=by, expected_version=None
    )
    letters.revise_letter(
        case=case, letter=letter, body=f"{CANARY} again", by=by, expected_version=None
    )
    letters.review_version(
        case=case,
        letter=letter,
        decision="approved",
        redact=["again"],
        by=by,
        expected_version=None,
    )


def _overwrite_every_encrypted_column() -> int:
    """The canary in every encrypted column of every row: whatever the services missed."""
    written = 0
    for model in mend_models():
        encrypted = [
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if encrypted:
            written += model._default_manager.update(**dict.fromkeys(encrypted, CANARY))
    return written


def _raw_cells() -> list[tuple[str, str, object]]:
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                cells.extend(
                    (table, column, value) for column, value in zip(columns, row, strict=True)
                )
    return cells


def test_no_canary_reaches_the_raw_database_from_any_input_or_encrypted_column(
    world: World,
) -> None:
    _fill_every_input(world)
    assert _overwrite_every_encrypted_column() > 20
    found = [
        (table, column)
        for table, column, value in _raw_cells()
        if value is not None and CANARY in str(value)
    ]
    assert found == [], f"plaintext in the database: {sorted(set(found))}"
    # And the canary still reads back through the models.
    note = apps.get_model("cases", "Note").objects.first()
    assert note is not None and note.body == CANARY

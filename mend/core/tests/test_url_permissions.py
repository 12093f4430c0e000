"""Every URL pattern x every persona gives the expected status.

A new URL that is not in EXPECTED (or generated for the admin below) fails
`test_every_url_pattern_has_expected_statuses`: whoever adds a page decides, here, who
may open it. The outsider administers another program; for anything that belongs to
our program they must get 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mend.core.admin import admin_site
from mend.testing.cases import CANARY_ADDRESS, CANARY_EMAIL, CANARY_PHONE
from mend.testing.personas import World

PERSONAS = [
    "anonymous",
    "program_admin",
    "coordinator",
    "facilitator",
    "volunteer",
    "referrer",
    "analyst",
    "outsider",
]

STAFF = ["program_admin", "coordinator", "facilitator", "volunteer"]
NOT_CASE_WORKERS = ["anonymous", "referrer", "analyst", "outsider"]
SIGNED_IN = [*STAFF, "referrer", "analyst", "outsider"]


def statuses(default: int, **overrides: int) -> dict[str, int]:
    table = {persona: default for persona in PERSONAS}
    table.update(overrides)
    return table


def signed_in_only(ok: int = 200) -> dict[str, int]:
    return statuses(ok, anonymous=302)


ADMIN_REFUSED = statuses(403, anonymous=302)
REPORTS = statuses(
    403, anonymous=302, program_admin=200, coordinator=200, analyst=200, outsider=200
)
# Exact figures and the records behind them: administrators and coordinators.
RECORDS = statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
# Program administrators configure their own program; the outsider opens their own.
CONFIGURE = statuses(403, anonymous=302, program_admin=200, outsider=200)


@dataclass
class Case:
    expected: dict[str, int]
    method: str = "get"
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda world: {})
    data: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


def _volunteer_membership(world: World) -> dict[str, Any]:
    membership = world.program.memberships.get(user=world["volunteer"], ended_at__isnull=True)
    return {"member_id": membership.pk}


def _our_invitation(world: World) -> dict[str, Any]:
    from mend.programs.services import create_invitation

    _invitation, token = create_invitation(
        program=world.program,
        email="invited@example.org",
        full_name="Invited Person",
        role="volunteer",
        by=world["program_admin"],
    )
    return {"token": token}


def _our_case(world: World) -> Any:
    """A case in our program led by the facilitator, with the volunteer assigned."""
    if not hasattr(world, "case"):
        from mend.cases.services import assign_team
        from mend.testing.cases import submit

        case = submit(world)
        assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[world["volunteer"]],
            by=world["coordinator"],
            expected_version=None,
        )
        world.case = case  # type: ignore[attr-defined]
    return world.case  # type: ignore[attr-defined]


def _case_kwargs(world: World) -> dict[str, Any]:
    return {"reference": _our_case(world).reference}


def _our_meeting(world: World) -> dict[str, Any]:
    """A home visit to the harmed party of our case (made directly: the permissions of the
    page are what is tried here, not planning)."""
    from datetime import timedelta

    from django.utils import timezone

    from mend.cases.models import Participant
    from mend.processes.models import Meeting, MeetingInvitee

    case = _our_case(world)
    start = timezone.now() + timedelta(days=2)
    meeting = Meeting.objects.create(
        case=case,
        kind="preparation",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        venue_kind=Meeting.VenueKind.HOME_VISIT,
        venue=CANARY_ADDRESS,
        lead=world["facilitator"],
        created_by=world["facilitator"],
    )
    harmed = case.participants.filter(role=Participant.Role.HARMED).first()
    MeetingInvitee.objects.create(meeting=meeting, participant=harmed)
    return {"reference": case.reference, "meeting_id": meeting.pk}


def _our_attachment(world: World) -> dict[str, Any]:
    """A file on a letter awaiting review, in a case of our program led by the facilitator."""
    import io

    from mend.processes.attachments import add_attachment
    from mend.testing.letters import letters_case, write

    case = letters_case(world)
    letter = write(world, case)
    attachment = add_attachment(
        case=case,
        letter=letter,
        upload=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        name="scan.pdf",
        by=world["facilitator"],
        expected_version=None,
    )
    return {"reference": case.reference, "letter": letter.pk, "attachment": attachment.pk}


def _our_api_key(world: World) -> dict[str, Any]:
    from mend.partners.models import Scope
    from mend.partners.services import create_api_key

    key, _text = create_api_key(
        program=world.program,
        agency=world.police,
        name="Records system",
        scopes=[Scope.REFERRALS_READ],
        expires_at=None,
        by=None,
    )
    return {"key_id": key.pk}


def _our_webhook(world: World) -> dict[str, Any]:
    from mend.partners.webhooks import register_endpoint

    endpoint = register_endpoint(
        program=world.program, agency=world.police, url="http://127.0.0.1:9/hook", by=None
    )
    return {"endpoint_id": endpoint.pk}


def _facilitator_feed(world: World) -> dict[str, Any]:
    from mend.processes.feed_services import create_feed

    membership = world.program.memberships.get(user=world["facilitator"], ended_at__isnull=True)
    _feed, token = create_feed(membership=membership)
    return {"token": token}


def _our_term(world: World, action: str = "") -> dict[str, Any]:
    """The restitution term of an agreement being followed up, in a case led by the
    facilitator with the volunteer assigned (and monitoring its community service)."""
    if not hasattr(world, "followed_up"):
        from mend.testing.terms import followed_up

        world.followed_up = followed_up(world)  # type: ignore[attr-defined]
    term = world.followed_up.restitution  # type: ignore[attr-defined]
    kwargs = {
        "reference": world.followed_up.case.reference,  # type: ignore[attr-defined]
        "agreement_id": term.agreement_id,
        "term_id": term.pk,
    }
    return {**kwargs, "action": action} if action else kwargs


def _our_agreements(world: World) -> dict[str, Any]:
    """A case of our program in Agreement and follow-up, led by the facilitator with the
    volunteer assigned, and three responsible parties: the first's agreement a draft with
    a term and a signed copy uploaded, the second's agreed by every party, the third's not
    yet drafted."""
    if not hasattr(world, "agreements"):
        import io

        from django.utils import timezone

        from mend.agreements import scans, services
        from mend.cases.models import Participant
        from mend.cases.services import assign_team
        from mend.testing.agreements import agreement_case, apology, sign_all
        from mend.testing.cases import parties

        case = agreement_case(world, responsible=3)
        assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[world["volunteer"]],
            by=world["coordinator"],
            expected_version=None,
        )
        first, second, _third = parties(case, Participant.Role.RESPONSIBLE)
        made = [
            services.draft_agreement(
                case=case,
                responsible=person,
                terms=[apology(world, case)],
                by=world["facilitator"],
                expected_version=None,
            )
            for person in (first, second)
        ]
        sign_all(world, made[1])
        scan_name, scan_type = scans.store(io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
        signature = services.record_signature(
            agreement=made[0],
            participant=parties(case, Participant.Role.HARMED)[0],
            method="scanned",
            agreed_on=timezone.localdate(),
            by=world["facilitator"],
            expected_version=None,
            scan_name=scan_name,
            scan_type=scan_type,
        )
        world.agreements = {  # type: ignore[attr-defined]
            "reference": case.reference,
            "draft": made[0].pk,
            "binding": made[1].pk,
            "term": made[0].terms.get().pk,
            "signature": signature.pk,
        }
    return world.agreements  # type: ignore[attr-defined, no-any-return]


def _agreement_kwargs(which: str = "draft", *more: str) -> Callable[[World], dict[str, Any]]:
    def kwargs(world: World) -> dict[str, Any]:
        made = _our_agreements(world)
        extra = {f"{name}_id": made[name] for name in more}
        return {"reference": made["reference"], "agreement_id": made[which], **extra}

    return kwargs


# Agreements: the case team reads them; those who manage agreements change them; the
# outsider never learns of them.
AGREEMENT_READ = statuses(
    404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=200
)
AGREEMENT_MANAGE = statuses(
    403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=404
)


def _closed_agreement(world: World) -> Any:
    """A closed case of our program, led by the facilitator, whose parties had agreed."""
    if not hasattr(world, "closed_agreement"):
        from mend.cases.services import close_case
        from mend.cases.stages import Outcome
        from mend.testing.agreements import agreement_case, binding

        agreement = binding(world, agreement_case(world))
        close_case(
            case=agreement.case,
            outcome=Outcome.WITHDRAWN_BY_RESPONSIBLE_PARTY,
            by=world["coordinator"],
            expected_version=None,
        )
        world.closed_agreement = agreement  # type: ignore[attr-defined]
    return world.closed_agreement  # type: ignore[attr-defined]


def _party_copy(world: World) -> dict[str, Any]:
    agreement = _closed_agreement(world)
    return {
        "reference": agreement.case.reference,
        "agreement_id": agreement.pk,
        "participant_id": agreement.responsible_id,
    }


def _closure_letter(world: World) -> dict[str, Any]:
    agreement = _closed_agreement(world)
    return {"reference": agreement.case.reference, "participant_id": agreement.responsible_id}


# The agreement's documents: those who work on the case hand them out.
CASE_DOCUMENTS = statuses(
    403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=404
)

# The calendar is for those who plan and lead meetings; the outsider opens their own.
CALENDAR = statuses(
    403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=200
)


def _our_venue(world: World) -> dict[str, Any]:
    from mend.processes.venue_services import add_venue

    venue = add_venue(
        program=world.program, name="Room 1", capacity=8, by=None, expected_version=None
    )
    return {"venue_id": venue.pk}


def _facilitators_time(world: World) -> dict[str, Any]:
    from datetime import time

    from mend.processes.venue_services import add_availability

    slot = add_availability(
        user=world["facilitator"],
        program=world.program,
        weekday=0,
        start_time=time(9),
        end_time=time(12),
        by=world["facilitator"],
        expected_version=None,
    )
    return {"slot_id": slot.pk}


def _our_placement(world: World) -> dict[str, Any]:
    from mend.testing.agreements import placement

    return {"placement_id": placement(world).pk}


def _placement_link(world: World) -> dict[str, Any]:
    """A working verification link of our placement, and a session waiting behind it."""
    from mend.agreements.placement_services import make_verify_link
    from mend.testing.agreements import session_to_verify

    session = session_to_verify(world)
    _placement, token = make_verify_link(
        placement=session.placement, by=None, expected_version=None
    )
    world.verify_session = session  # type: ignore[attr-defined]
    return {"token": token}


def _flag_link(world: World) -> dict[str, Any]:
    kwargs = _placement_link(world)
    return {**kwargs, "session_id": world.verify_session.pk}  # type: ignore[attr-defined]


# Placements: the staff who follow community service read them; coordinators keep them.
PLACEMENTS_READ = statuses(
    403,
    anonymous=302,
    program_admin=200,
    coordinator=200,
    facilitator=200,
    volunteer=200,
    outsider=200,
)
PLACEMENTS_KEEP = statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
# A button with an empty form sends them back to the placement's page.
PLACEMENT_BUTTON = statuses(403, anonymous=302, program_admin=302, coordinator=302, outsider=404)


def _agreements_to_monitor(world: World) -> dict[str, Any]:
    """An agreement in force in our program, with terms the facilitator and the volunteer
    monitor (the volunteer assigned to its case), so the monitoring page has rows."""
    if not hasattr(world, "monitored"):
        from mend.cases.services import assign_team
        from mend.testing.agreements import agreement_case, apology, binding, service

        case = agreement_case(world)
        assign_team(
            case=case,
            lead=world["facilitator"],
            co_facilitators=[],
            volunteers=[world["volunteer"]],
            by=world["coordinator"],
            expected_version=None,
        )
        world.monitored = binding(world, case, [apology(world, case), service(world, case)])  # type: ignore[attr-defined]
    return {}


def _survey_case(world: World) -> Any:
    """A case in Contact whose parties agreed to be contacted for evaluation: baseline
    surveys went out, the responsible party's (no e-mail address) waiting to be handed over."""
    if not hasattr(world, "survey_case"):
        from mend.testing.surveys import case_in_contact

        world.survey_case = case_in_contact(world)  # type: ignore[attr-defined]
    return world.survey_case  # type: ignore[attr-defined]


def _survey_version(world: World) -> dict[str, Any]:
    from mend.outcomes.survey_services import current_version, survey_of

    return {"version_id": current_version(survey_of(world.program, "after")).pk}


def _survey_link(world: World) -> dict[str, Any]:
    from mend.outcomes.survey_services import current_version, make_anonymous_link, survey_of

    version = current_version(survey_of(world.program, "after"))
    link, _token = make_anonymous_link(version=version, by=world["coordinator"])
    return {"link_id": link.pk}


def _survey_waiting(world: World) -> dict[str, Any]:
    from mend.outcomes.models import SurveyInvitation
    from mend.testing.surveys import responsible

    waiting = SurveyInvitation.objects.get(participant=responsible(_survey_case(world)))
    return {"invitation_id": waiting.pk}


def _survey_token(world: World) -> dict[str, Any]:
    from mend.testing.surveys import hand_over, responsible

    return {"token": hand_over(world, responsible(_survey_case(world)))}


# Surveys: administrators and coordinators (surveys.manage); the outsider sees their own
# program's, and none of ours.
SURVEYS = statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
SURVEY_OBJECT = statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404)
SURVEY_BUTTON = statuses(403, anonymous=302, program_admin=302, coordinator=302, outsider=404)


def _our_reoffending_check(world: World) -> dict[str, Any]:
    """A due re-offending check of our case's responsible party (made directly: the
    permissions of the page are what is tried here, not closing a case)."""
    if not hasattr(world, "reoffending_check"):
        from datetime import date

        from mend.cases.models import Participant
        from mend.outcomes.models import ReoffendingCheck

        participant = _our_case(world).participants.get(role=Participant.Role.RESPONSIBLE)
        world.reoffending_check = ReoffendingCheck.objects.create(  # type: ignore[attr-defined]
            program=world.program,
            participant=participant,
            months=6,
            completed_on=date(2025, 1, 10),
            due_on=date(2025, 7, 10),
        )
    return {"check_id": world.reoffending_check.pk}  # type: ignore[attr-defined]


def _our_incident_import(world: World) -> Any:
    if not hasattr(world, "incident_import"):
        from datetime import date

        from mend.outcomes.models import ImportedIncident, IncidentImport, MatchSuggestion

        _our_reoffending_check(world)
        batch = IncidentImport.objects.create(
            program=world.program, file_name="incidents.csv", imported_by=world["coordinator"]
        )
        incident = ImportedIncident.objects.create(
            batch=batch,
            line=2,
            given_name="Rory0",
            family_name="Responsible",
            date_of_birth=date(2001, 2, 3),
            incident_date=date(2025, 3, 1),
            incident_reference="CR/2025/1",
        )
        world.suggestion = MatchSuggestion.objects.create(  # type: ignore[attr-defined]
            incident=incident,
            participant=world.reoffending_check.participant,  # type: ignore[attr-defined]
            confidence=MatchSuggestion.Confidence.HIGH,
        )
        world.incident_import = batch  # type: ignore[attr-defined]
    return world.incident_import  # type: ignore[attr-defined]


EXPECTED: dict[str, Case] = {
    "healthz": Case(statuses(200)),
    "accounts:sign_in": Case(statuses(302, anonymous=200)),
    # Without a pending password step there is no code to ask for.
    "accounts:sign_in_code": Case(statuses(302)),
    "accounts:sign_out": Case(statuses(302), method="post"),
    "accounts:password_change": Case(signed_in_only()),
    "accounts:set_language": Case(statuses(302), method="post", data=lambda w: {"language": "es"}),
    "accounts:two_factor": Case(signed_in_only()),
    "accounts:two_factor_setup": Case(signed_in_only()),
    "accounts:recovery_codes": Case(signed_in_only()),
    "accounts:profile": Case(signed_in_only()),
    "programs:dashboard": Case(signed_in_only()),
    "programs:switch": Case(
        # Switching to a program you are not in is a 404, like any stranger's object.
        statuses(302, anonymous=302, outsider=404),
        method="post",
        data=lambda w: {"program": w.program.slug},
    ),
    "programs:settings": Case(signed_in_only() | {"referrer": 403, "analyst": 403}),
    **{
        f"programs:edit_{section}": Case(CONFIGURE)
        for section in ("processes", "purposes", "languages", "timing", "time_zone")
    },
    "programs:edit_contact": Case(CONFIGURE),
    "programs:edit_retention": Case(CONFIGURE),
    "programs:add_category": Case(CONFIGURE),
    "programs:add_criterion": Case(CONFIGURE),
    # Another program's category or criterion is a 404, even to its own administrator.
    "programs:edit_category": Case(
        statuses(403, anonymous=302, program_admin=200, outsider=404),
        kwargs=lambda w: {"category_id": w.program.offence_categories.first().pk},
    ),
    "programs:edit_criterion": Case(
        statuses(403, anonymous=302, program_admin=200, outsider=404),
        kwargs=lambda w: {"criterion_id": w.program.eligibility_criteria.first().pk},
    ),
    "programs:members": Case(statuses(403, anonymous=302, program_admin=200, outsider=200)),
    # GET asks to confirm; the POST that ends the role is tested in mend/programs/tests.
    "programs:end_member": Case(
        statuses(403, anonymous=302, program_admin=200, outsider=404),
        kwargs=_volunteer_membership,
    ),
    # An invitation link opens for whoever holds it: signed in they accept, otherwise they
    # create an account or sign in first.
    "programs:invitation": Case(statuses(200), kwargs=_our_invitation),
    "programs:reset_member_password": Case(
        statuses(403, anonymous=302, program_admin=200, outsider=404),
        method="post",
        kwargs=_volunteer_membership,
    ),
    "programs:audit_log": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
    ),
    "cases:referral_list": Case(
        statuses(404, anonymous=302, program_admin=200, coordinator=200, referrer=200, outsider=200)
    ),
    "cases:new_referral": Case(statuses(200, anonymous=302, volunteer=403, analyst=403)),
    "cases:referral_detail": Case(
        # Screeners are sent on to the case; the referrer follows their own referral.
        statuses(404, anonymous=302, program_admin=302, coordinator=302, referrer=200),
        kwargs=lambda w: {"referral_id": _our_case(w).referral_id},
    ),
    # Adding information to a referral: the referrer who can follow it (an empty message is
    # a 400 with a field message); staff answer the referral on the case page instead.
    "cases:referral_message": Case(
        statuses(404, anonymous=302, program_admin=403, coordinator=403, referrer=400),
        method="post",
        kwargs=lambda w: {"referral_id": _our_case(w).referral_id},
    ),
    "cases:list": Case(statuses(200, anonymous=302, referrer=404, analyst=404)),
    "cases:detail": Case(
        statuses(
            404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=200
        ),
        kwargs=_case_kwargs,
    ),
    "cases:access": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404),
        kwargs=_case_kwargs,
    ),
    "cases:action": Case(
        statuses(
            404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=200
        ),
        kwargs=lambda w: {**_case_kwargs(w), "action": "note"},
    ),
    # A term of an agreement: whoever may see the case.
    "agreements:term": Case(
        statuses(
            404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=200
        ),
        kwargs=_our_term,
    ),
    # Recording a payment: staff who follow agreements up (an empty form is a 400 with its
    # errors); the volunteer sees the term but records no payment.
    "agreements:term_action": Case(
        statuses(
            404, anonymous=302, program_admin=400, coordinator=400, facilitator=400, volunteer=403
        ),
        method="post",
        kwargs=lambda w: _our_term(w, "payment"),
    ),
    # A letter's file: the case team that reads letters; the outsider never learns of it.
    "processes:letter_attachment": Case(
        statuses(
            403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=404
        ),
        kwargs=_our_attachment,
    ),
    "agreements:draft": Case(
        AGREEMENT_MANAGE, kwargs=lambda w: {"reference": _our_agreements(w)["reference"]}
    ),
    "agreements:agreement": Case(AGREEMENT_READ, kwargs=_agreement_kwargs()),
    "agreements:add_term": Case(AGREEMENT_MANAGE, kwargs=_agreement_kwargs()),
    "agreements:change_term": Case(AGREEMENT_MANAGE, kwargs=_agreement_kwargs("draft", "term")),
    "agreements:remove_term": Case(AGREEMENT_MANAGE, kwargs=_agreement_kwargs("draft", "term")),
    "agreements:sign": Case(AGREEMENT_MANAGE, kwargs=_agreement_kwargs()),
    "agreements:reconvene": Case(AGREEMENT_MANAGE, kwargs=_agreement_kwargs("binding")),
    # A signed copy: whoever may see the agreement.
    "agreements:signed_copy": Case(CASE_DOCUMENTS, kwargs=_agreement_kwargs("draft", "signature")),
    "agreements:party_copy": Case(CASE_DOCUMENTS, kwargs=_party_copy),
    "agreements:closure_letter": Case(CASE_DOCUMENTS, kwargs=_closure_letter),
    # And the referrer who sent the referral (ours did) once the case has closed.
    "agreements:outcome_report": Case(
        {**CASE_DOCUMENTS, "referrer": 200},
        kwargs=lambda w: {"reference": _closed_agreement(w).case.reference},
    ),
    "partners:api_keys": Case(statuses(403, anonymous=302, program_admin=200, outsider=200)),
    "partners:revoke_api_key": Case(
        statuses(403, anonymous=302, program_admin=302, outsider=404),
        method="post",
        kwargs=_our_api_key,
    ),
    "partners:webhooks": Case(statuses(403, anonymous=302, program_admin=200, outsider=200)),
    "partners:deactivate_webhook": Case(
        statuses(403, anonymous=302, program_admin=302, outsider=404),
        method="post",
        kwargs=_our_webhook,
    ),
    # Coordinators (and program administrators) import referrals; the outsider sees the
    # page for their own program.
    "partners:import_referrals": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
    ),
    "processes:calendar_week": Case(CALENDAR),
    "processes:meeting": Case(
        statuses(
            404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=200
        ),
        kwargs=_our_meeting,
    ),
    "processes:calendar_month": Case(CALENDAR),
    "processes:calendar_feed": Case(CALENDAR),
    # Making an address shows it once (200); revoking sends back to the feed page.
    "processes:create_calendar_feed": Case(CALENDAR, method="post"),
    "processes:revoke_calendar_feed": Case(
        statuses(
            403, anonymous=302, program_admin=302, coordinator=302, facilitator=302, outsider=302
        ),
        method="post",
    ),
    # No sign-in: the token is the credential, whoever presents it.
    "processes:calendar_feed_ics": Case(statuses(200), kwargs=_facilitator_feed),
    # Following agreements up: everyone who follows cases; the outsider opens their own.
    "agreements:monitoring": Case(
        statuses(
            404,
            anonymous=302,
            program_admin=200,
            coordinator=200,
            facilitator=200,
            volunteer=200,
            outsider=200,
        ),
        kwargs=_agreements_to_monitor,
    ),
    # The partner API: its documents are public; its operations take API keys, never a
    # signed-in session, so every persona gets 401.
    "api:openapi-json": Case(statuses(200)),
    "api:openapi-view": Case(statuses(200)),
    "api:api-root": Case(statuses(404)),
    "api:referrals": Case(statuses(401)),
    "api:referral": Case(statuses(401), kwargs=lambda w: {"id": _our_case(w).referral_id}),
    "api:offence_categories": Case(statuses(401)),
    # Django admin: platform superusers only (no persona is one). Anyone else signed in
    # gets the 403 page; the sign-in page sends the anonymous on (302).
    "admin:index": Case(ADMIN_REFUSED),
    "admin:app_list": Case(ADMIN_REFUSED, kwargs=lambda w: {"app_label": "programs"}),
    "admin:login": Case(statuses(302)),
    "admin:logout": Case(ADMIN_REFUSED, method="post"),
    "admin:password_change": Case(ADMIN_REFUSED),
    "admin:password_change_done": Case(ADMIN_REFUSED),
    "admin:jsi18n": Case(ADMIN_REFUSED),
    "admin:autocomplete": Case(ADMIN_REFUSED),
    # The admin's catch-all pattern (unnamed): unknown admin pages.
    "admin:<catch-all>": Case(ADMIN_REFUSED),
    # Rooms: staff who lead meetings read the list; coordinators and administrators keep it.
    "processes:venues": Case(
        statuses(
            403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=200
        )
    ),
    "processes:add_venue": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=200)
    ),
    "processes:change_venue": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404),
        kwargs=_our_venue,
    ),
    # An empty form sends them back to the room's page.
    "processes:retire_venue": Case(
        statuses(403, anonymous=302, program_admin=302, coordinator=302, outsider=404),
        method="post",
        kwargs=_our_venue,
    ),
    # Each keeps their own available times; another's is a 404, even to a coordinator.
    "processes:availability": Case(
        statuses(
            403, anonymous=302, program_admin=200, coordinator=200, facilitator=200, outsider=200
        )
    ),
    "processes:remove_availability": Case(
        statuses(
            403, anonymous=302, program_admin=404, coordinator=404, facilitator=302, outsider=404
        ),
        method="post",
        kwargs=_facilitators_time,
    ),
    # Placements and the program's fees.
    "agreements:placements": Case(PLACEMENTS_READ),
    "agreements:add_placement": Case(PLACEMENTS_KEEP),
    "agreements:change_placement": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404),
        kwargs=_our_placement,
    ),
    "agreements:retire_placement": Case(PLACEMENT_BUTTON, method="post", kwargs=_our_placement),
    "agreements:make_link": Case(PLACEMENT_BUTTON, method="post", kwargs=_our_placement),
    "agreements:revoke_link": Case(PLACEMENT_BUTTON, method="post", kwargs=_our_placement),
    # No sign-in: the link's token is the placement's credential, whoever presents it.
    "agreements:verify_hours": Case(statuses(200), kwargs=_placement_link),
    "agreements:flag_session": Case(statuses(200), kwargs=_flag_link),
    # The case team reads a case's fees; an assigned volunteer is refused, a stranger 404.
    "agreements:fees": Case(
        statuses(
            404, anonymous=302, program_admin=200, coordinator=200, facilitator=200, volunteer=403
        ),
        kwargs=_case_kwargs,
    ),
    "agreements:agreement_settings": Case(CONFIGURE),
    # Reports: administrators, coordinators and analysts (analysts read aggregates only).
    "outcomes:reports": Case(REPORTS),
    "outcomes:records": Case(RECORDS, kwargs=lambda w: {"code": "referrals"}),
    "outcomes:settings": Case(CONFIGURE),
    "outcomes:offence_codes": Case(CONFIGURE),
    # No sign-in; a program that does not publish its trends has no such page.
    "outcomes:public_trends": Case(statuses(404), kwargs=lambda w: {"slug": w.program.slug}),
    # The open data export: person-free for whoever reads reports, full for administrators.
    "outcomes:export": Case(REPORTS),
    "outcomes:export_person_free": Case(REPORTS, method="post"),
    "outcomes:export_full": Case(CONFIGURE, method="post"),
    "outcomes:surveys": Case(SURVEYS),
    "outcomes:survey_version": Case(SURVEY_OBJECT, kwargs=_survey_version),
    "outcomes:survey_make_link": Case(SURVEY_OBJECT, method="post", kwargs=_survey_version),
    "outcomes:survey_revoke_link": Case(SURVEY_BUTTON, method="post", kwargs=_survey_link),
    "outcomes:survey_questions": Case(SURVEYS, kwargs=lambda w: {"kind": "after"}),
    "outcomes:survey_sent": Case(SURVEYS),
    "outcomes:survey_hand_over": Case(
        SURVEY_OBJECT, method="post", kwargs=_survey_waiting, data=lambda w: {"version": 1}
    ),
    "outcomes:survey_send": Case(SURVEYS),
    # No sign-in: the link's token is the participant's credential.
    "outcomes:survey_answer": Case(statuses(200), kwargs=_survey_token),
    "outcomes:survey_thanks": Case(statuses(200)),
    # Funder returns: analysts read them suppressed; the records behind a figure are for
    # those who see exact figures.
    "outcomes:returns": Case(REPORTS),
    "outcomes:returns_pdf": Case(REPORTS),
    "outcomes:returns_csv": Case(REPORTS),
    "outcomes:return_records": Case(RECORDS, kwargs=lambda world: {"figure": "voca_served"}),
    # Re-offending follow-up: those who record results (administrators, coordinators);
    # the windows are the program's settings.
    "outcomes:reoffending": Case(RECORDS),
    "outcomes:reoffending_check": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404),
        kwargs=_our_reoffending_check,
    ),
    "outcomes:reoffending_imports": Case(RECORDS),
    "outcomes:reoffending_import": Case(
        statuses(403, anonymous=302, program_admin=200, coordinator=200, outsider=404),
        kwargs=lambda w: {"import_id": _our_incident_import(w).pk},
    ),
    # An empty form sends them back to the import's page.
    "outcomes:reoffending_decide": Case(
        statuses(403, anonymous=302, program_admin=302, coordinator=302, outsider=404),
        method="post",
        kwargs=lambda w: {
            "suggestion_id": (_our_incident_import(w), w.suggestion)[1].pk  # type: ignore[attr-defined]
        },
    ),
    "outcomes:reoffending_windows": Case(CONFIGURE),
}


def _admin_cases() -> Iterator[tuple[str, Case]]:
    """Generated rows for each model registered in the admin, on our program's object."""
    for model in admin_site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for action in ("changelist", "add"):
            yield f"{prefix}_{action}", Case(ADMIN_REFUSED)

        def object_kwargs(world: World, model: type[Model] = model) -> dict[str, Any]:
            return {"object_id": str(_object_of(world, model).pk)}

        for action in ("change", "history", "delete"):
            yield f"{prefix}_{action}", Case(ADMIN_REFUSED, kwargs=object_kwargs)


def _object_of(world: World, model: type[Model]) -> Model:
    if model._meta.label == "programs.Program":
        return world.program
    if model._meta.label == "accounts.User":
        return world["volunteer"]
    return model._default_manager.filter(program=world.program).order_by("pk").first()  # type: ignore[misc]


ALL_CASES: dict[str, Case] = {**EXPECTED, **dict(_admin_cases())}


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<catch-all>"


def test_every_url_pattern_has_expected_statuses() -> None:
    names = set(_walk(get_resolver()))
    missing = sorted(names - set(ALL_CASES))
    assert not missing, f"Add these URL names to EXPECTED with a status per persona: {missing}"
    stale = sorted(set(ALL_CASES) - names)
    assert not stale, f"EXPECTED names URLs that no longer exist: {stale}"


def _url(name: str, world: World, case: Case) -> str:
    if name == "admin:<catch-all>":
        return "/admin/no-such-page/"
    return reverse(name, kwargs=case.kwargs(world))


def prepare_world(world: World) -> None:
    """What every row is tried with: a case (and its canaries) in the program."""
    _our_case(world)


def page_url(name: str, world: World) -> str:
    """The path a row of the table is tried at (the accessibility test opens the same)."""
    return _url(name, world, ALL_CASES[name])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_url_answers_each_persona_as_expected(
    name: str, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    case = ALL_CASES[name]
    prepare_world(world)
    client = client_for(persona)
    url = _url(name, world, case)
    response = getattr(client, case.method)(url, data=case.data(world))
    assert response.status_code == case.expected[persona], (
        f"{persona} {case.method.upper()} {url}: got {response.status_code}, "
        f"expected {case.expected[persona]}"
    )
    if persona in NOT_CASE_WORKERS:
        # The harmed party's contact details never reach anyone outside the case team.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode(errors="replace")
        for canary in (CANARY_PHONE, CANARY_EMAIL, CANARY_ADDRESS):
            assert canary not in body, f"{persona} saw a harmed party's contact detail at {url}"


# The admin's are refused to every persona before their method is looked at (superusers
# are tried in mend/core/tests/test_admin_site.py).
@pytest.mark.parametrize(
    "name",
    sorted(n for n, c in ALL_CASES.items() if c.method == "post" and not n.startswith("admin:")),
)
def test_post_only_urls_refuse_get(
    name: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("program_admin").get(_url(name, world, ALL_CASES[name]))
    assert response.status_code == 405

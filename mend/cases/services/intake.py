"""Referrals coming in, and linking the people in them to people the program knows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.cases.models import (
    Case,
    Participant,
    Person,
    Referral,
    ReferralMessage,
    RJOffer,
    StageChange,
)
from mend.cases.services.base import InvalidMove, changed, lock_case
from mend.cases.stages import Stage
from mend.core import audit
from mend.programs.models import Agency, OffenceCategory, Program

if TYPE_CHECKING:
    from mend.accounts.models import User


@dataclass
class PartyDetails:
    """A harmed or responsible party as the referrer describes them."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    preferred_language: str = ""
    accessibility_needs: str = ""
    preferred_contact: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    # Link to someone the program already knows instead of creating a new record.
    existing_person: Person | None = None
    admits_responsibility: bool | None = None
    rj_offered_on: date | None = None
    consents_to_contact: bool | None = None


@dataclass
class ReferrerDetails:
    name: str
    email: str = ""
    phone: str = ""
    staff_id: str = ""


@dataclass
class ReferralDetails:
    incident_reference: str
    incident_date: date
    offence_category: OffenceCategory
    justice_stage: str
    summary: str = ""
    area: str = ""
    precinct: str = ""
    harmed: list[PartyDetails] = field(default_factory=list)
    responsible: list[PartyDetails] = field(default_factory=list)


def _next_number(program: Program, year: int) -> int:
    # Lock the program row so two referrals arriving together get different numbers
    # (on SQLite, IMMEDIATE transactions already serialise writers).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    last = Case.objects.filter(program=program, year=year).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def person_for(program: Program, party: PartyDetails) -> Person:
    if party.existing_person is not None:
        if party.existing_person.program_id != program.pk:
            raise ValidationError(_("That person belongs to another program."))
        return party.existing_person
    person = Person(
        program=program,
        given_name=party.given_name.strip(),
        family_name=party.family_name.strip(),
        date_of_birth=party.date_of_birth,
        preferred_language=party.preferred_language,
        accessibility_needs=party.accessibility_needs,
        preferred_contact=party.preferred_contact,
        phone=party.phone,
        email=party.email,
        address=party.address,
    )
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def submit_referral(
    *,
    program: Program,
    details: ReferralDetails,
    referrer: ReferrerDetails,
    agency: Agency | None,
    by: User | None,
    source: str = Referral.Source.FORM,
) -> Referral:
    """Record a referral and open its case at the Referral stage."""
    if not details.harmed:
        raise ValidationError(_("Name at least one harmed party."))
    if details.offence_category.program_id != program.pk:
        raise ValidationError(_("Choose an offence category of this program."))
    if agency is not None and agency.program_id != program.pk:
        raise ValidationError(_("Choose an agency of this program."))
    if details.incident_date > timezone.localdate():
        raise ValidationError(_("The incident date cannot be in the future."))
    referral = Referral(
        program=program,
        agency=agency,
        submitted_by=by,
        source=source,
        referrer_name=referrer.name,
        referrer_email=referrer.email,
        referrer_phone=referrer.phone,
        referrer_staff_id=referrer.staff_id,
        incident_reference=details.incident_reference,
        incident_date=details.incident_date,
        offence_category=details.offence_category,
        summary=details.summary,
        justice_stage=details.justice_stage,
        area=" ".join(details.area.split()),
        precinct=" ".join(details.precinct.split()),
    )
    referral.full_clean()
    referral.save()
    year = timezone.localdate().year
    number = _next_number(program, year)
    case = Case.objects.create(
        program=program,
        referral=referral,
        reference=f"{program.reference_prefix}-{year}-{number:04d}",
        year=year,
        number=number,
        stage=Stage.REFERRAL,
        offence_category=details.offence_category,
    )
    StageChange.objects.create(case=case, from_stage="", to_stage=Stage.REFERRAL, by=by)
    for role, parties in (
        (Participant.Role.HARMED, details.harmed),
        (Participant.Role.RESPONSIBLE, details.responsible),
    ):
        for party in parties:
            participant = Participant.objects.create(
                case=case,
                person=person_for(program, party),
                role=role,
                admits_responsibility=party.admits_responsibility,
                named_in_referral=True,
            )
            if party.rj_offered_on:
                RJOffer.objects.create(
                    participant=participant,
                    offered_on=party.rj_offered_on,
                    offered_by=None,
                    channel=RJOffer.Channel.VIA_REFERRER,
                    response=RJOffer.Response.INTERESTED
                    if party.consents_to_contact
                    else RJOffer.Response.NO_RESPONSE,
                )
    audit.record(
        actor=by,
        action="referral.received",
        obj=referral,
        subject=case,
        program=program,
        source=source,
    )
    audit.record(actor=by, action="case.opened", obj=case, program=program)
    return referral


def possible_matches(participant: Participant) -> list[Person]:
    """Other people of the program with the same name and date of birth."""
    person = participant.person
    if person.date_of_birth is None:
        return []
    return list(
        Person.objects.filter(
            program_id=person.program_id,
            given_name__iexact=person.given_name,
            family_name__iexact=person.family_name,
            date_of_birth=person.date_of_birth,
        )
        .exclude(pk=person.pk)
        .order_by("created_at")[:5]
    )


@transaction.atomic
def link_person(
    *,
    participant: Participant,
    person: Person,
    by: User,
    expected_version: int | None,
) -> Participant:
    """Screening found that someone named in a referral is already known: use that record.

    What the referral said about how to reach them is kept where the known record has
    nothing, so no detail the referrer gave is lost. The referral's record is removed
    when nothing else uses it.
    """
    case = lock_case(participant.case, expected_version)
    if case.stage not in (Stage.REFERRAL, Stage.SCREENING):
        raise InvalidMove(_("People are linked to known records during screening."))
    if person.program_id != case.program_id or person not in possible_matches(participant):
        raise ValidationError({"person": _("Choose one of the possible matches.")})
    old = participant.person
    for name in ("phone", "email", "address", "accessibility_needs", "preferred_language"):
        if not getattr(person, name) and getattr(old, name):
            setattr(person, name, getattr(old, name))
    person.save()
    participant.person = person
    participant.save(update_fields=["person"])
    if not old.participations.exists():
        old.delete()
    changed(
        case,
        by=by,
        action="participant.linked",
        obj=participant,
        changed_fields=["person"],
        participant=participant.pk,
    )
    return participant


@transaction.atomic
def add_referral_information(*, referral: Referral, body: str, by: User) -> ReferralMessage:
    """The referrer tells the program something more about a referral they sent."""
    if not body.strip():
        raise ValidationError({"body": _("Write what you would like to add.")})
    case = lock_case(Case.objects.get(referral_id=referral.pk), None)
    message = ReferralMessage(referral=referral, author=by, body=body.strip())
    message.full_clean()
    message.save()
    changed(case, by=by, action="referral.information_added", obj=message)
    return message

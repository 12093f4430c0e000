"""Every write to agreements and their terms.

Each takes the case's row lock and then the agreement's, checks the version of the
agreement the form was opened on, and audits in the same transaction (through
`changed()`, which also moves the case's version on, so the case page's forms see it).

Agreement forms are checked against the agreement's own version, not the case's: a note
written on the case does not make an open payment form stale, a changed term does.

A closed case can still be put right, but only with a written reason, which is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mend.agreements.models import Agreement, Instalment, Placement, Signature, Term
from mend.cases.models import Case, Participant
from mend.cases.services.base import (
    Blocked,
    CaseRuleError,
    changed,
    closed_details,
    lock_case,
    require_reason_if_closed,
)
from mend.cases.stages import ENDED, Outcome, Stage
from mend.core.dates import past_date, plausible_date
from mend.processes.models import Letter, Meeting
from mend.programs.models import Membership
from mend.programs.roles import Role

if TYPE_CHECKING:
    from mend.accounts.models import User

# Where an agreement may be drafted: once the parties have begun the process.
DRAFTING_STAGES = frozenset({Stage.PROCESS, Stage.AGREEMENT})
# Staff who may monitor a term.
MONITOR_ROLES = (Role.FACILITATOR, Role.VOLUNTEER, Role.COORDINATOR, Role.PROGRAM_ADMIN)
# A term that is done with: it no longer holds a case open.
SETTLED = frozenset({Term.Status.COMPLETED, Term.Status.WAIVED})
# A status that needs a written reason.
NEEDS_REASON = frozenset({Term.Status.NOT_COMPLETED, Term.Status.RENEGOTIATED, Term.Status.WAIVED})
CENT = Decimal("0.01")


class StaleAgreement(CaseRuleError):
    """Someone changed the agreement since this form was opened. Nothing was saved."""


@dataclass(frozen=True)
class TermDetails:
    kind: str
    description: str
    serves: Participant | None = None
    due_on: date | None = None
    monitor: User | None = None
    amount: Decimal | None = None
    currency: str = ""
    payee: str = ""
    # Restitution schedule: (due on, amount) pairs adding up to the amount.
    instalments: Sequence[tuple[date, Decimal]] = field(default_factory=tuple)
    service_minutes: int | None = None
    placement: Placement | None = None
    program_kind: str = ""
    provider: str = ""
    # A written apology: the letter of the case the responsible party wrote.
    letter: Letter | None = None


def money(value: Any, field_name: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places, or a field-level error."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter an amount such as 25.00.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field_name: _("Enter an amount greater than zero.")})
    # The bound first: quantizing an amount such as 1e30 is itself an error.
    if amount >= Decimal("10000000000"):
        raise ValidationError({field_name: _("Enter an amount below 10,000,000,000.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("Enter an amount to the cent, such as 25.50.")})
    return amount.quantize(CENT)


def lock_agreement(agreement: Agreement, expected_version: int | None, *, reason: str = "") -> Case:
    """The case's lock, then the agreement's; refuse a stale form or an unexplained change
    to a closed case."""
    case = lock_case(agreement.case, None)
    agreement.refresh_from_db(from_queryset=Agreement.objects.select_for_update())
    if expected_version is not None and agreement.version != expected_version:
        raise StaleAgreement(
            _("Someone changed this agreement since you opened the form."),
            _("Nothing was saved. Reload the page to see the agreement as it is now."),
        )
    require_reason_if_closed(case, reason)
    return case


def _bump(agreement: Agreement) -> None:
    agreement.version += 1
    Agreement.objects.filter(pk=agreement.pk).update(version=agreement.version)


def _audit(
    case: Case,
    agreement: Agreement,
    action: str,
    by: User | None,
    *,
    obj: Any = None,
    reason: str = "",
    **details: Any,
) -> None:
    extra = closed_details(case, reason)
    changed(
        case,
        by=by,
        action=action,
        obj=obj or agreement,
        agreement=str(agreement.pk),
        **extra,
        **details,
    )


def monitors_of(case: Case) -> list[User]:
    from mend.accounts.models import User

    return list(
        User.objects.filter(
            memberships__in=Membership.objects.active().filter(
                program_id=case.program_id, role__in=MONITOR_ROLES
            ),
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def signers(agreement: Agreement, people: Sequence[Participant] | None = None) -> list[Participant]:
    """Who must agree: the responsible party, the parent or guardian who supports them,
    and every harmed party taking part. Pass the case's participants when they are at
    hand (a page showing several agreements reads them once)."""
    if people is None:
        people = list(
            Participant.objects.filter(case_id=agreement.case_id).select_related("person")
        )
    people = [p for p in people if p.status == Participant.Status.ACTIVE]

    def signs(person: Participant) -> bool:
        if person.pk == agreement.responsible_id:
            return True
        if person.role == Participant.Role.HARMED:
            return person.takes_part
        return (
            person.role == Participant.Role.GUARDIAN
            and person.supports_id == agreement.responsible_id
        )

    chosen = [person for person in people if signs(person)]
    return chosen


def _check_term(
    case: Case, details: TermDetails, responsible_id: int | None = None
) -> dict[str, Any]:
    """The term's fields, checked; raises a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if details.kind not in Term.Kind.values:
        errors["kind"] = _("Choose the kind of term.")
    if not details.description.strip():
        errors["description"] = _("Say what was agreed, in the words the parties used.")
    serves = details.serves
    if serves is not None and (serves.case_id != case.pk or serves.role != Participant.Role.HARMED):
        errors["serves"] = _("Choose a harmed party in this case, or the community.")
    if details.due_on is not None:
        try:
            plausible_date(details.due_on, years_ahead=5)
        except ValidationError as error:
            errors["due_on"] = " ".join(error.messages)
    monitor = details.monitor
    if monitor is not None and monitor.pk not in {u.pk for u in monitors_of(case)}:
        errors["monitor"] = _("Choose a monitor from the program's staff and volunteers.")
    kind = details.kind
    values.update(
        kind=kind,
        description=details.description.strip(),
        serves=serves,
        due_on=details.due_on,
        monitor=monitor,
        amount=None,
        currency="",
        payee="",
        service_minutes=None,
        placement=None,
        program_kind="",
        provider="",
        letter=None,
    )
    if kind == Term.Kind.APOLOGY_WRITTEN and details.letter is not None:
        letter = details.letter
        if letter.case_id != case.pk or letter.author_id != responsible_id:
            errors["letter"] = _("Choose a letter of this case written by the responsible party.")
        values["letter"] = letter
    if kind == Term.Kind.RESTITUTION:
        try:
            values["amount"] = money(details.amount if details.amount is not None else "")
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
        currency = (details.currency or _settings_currency(case)).strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            errors["currency"] = _("Enter the currency as its three-letter code, such as USD.")
        values["currency"] = currency
        values["payee"] = details.payee.strip()
        if not values["payee"] and serves is None:
            errors["payee"] = _("Say who is paid.")
        if details.instalments and "amount" not in errors:
            total = sum((money(a, "instalments") for _d, a in details.instalments), Decimal(0))
            if total != values["amount"]:
                errors["instalments"] = _(
                    "The instalments add up to %(total)s, not %(amount)s."
                ) % {"total": total, "amount": values["amount"]}
    elif kind == Term.Kind.COMMUNITY_SERVICE:
        minutes = details.service_minutes
        if not minutes or minutes <= 0 or minutes > 2000 * 60:
            errors["service_minutes"] = _("Enter the hours of service agreed.")
        placement = details.placement
        if placement is None or placement.program_id != case.program_id or not placement.is_active:
            errors["placement"] = _("Choose a placement from the program's list.")
        values["service_minutes"] = minutes
        values["placement"] = placement
    elif kind == Term.Kind.PROGRAM:
        if details.program_kind not in Term.ProgramKind.values:
            errors["program_kind"] = _("Choose the kind of program.")
        if not details.provider.strip():
            errors["provider"] = _("Name the provider of the program.")
        values["program_kind"] = details.program_kind
        values["provider"] = details.provider.strip()
    if errors:
        raise ValidationError(errors)
    return values


def _settings_currency(case: Case) -> str:
    from mend.agreements.models import AgreementSettings

    found = AgreementSettings.objects.filter(program_id=case.program_id).first()
    return found.currency if found else "USD"


def _save_instalments(term: Term, details: TermDetails) -> None:
    term.instalments.all().delete()
    if term.kind == Term.Kind.RESTITUTION:
        Instalment.objects.bulk_create(
            Instalment(term=term, due_on=due, amount=money(amount, "instalments"))
            for due, amount in details.instalments
        )


def _draft_only(agreement: Agreement) -> None:
    if agreement.status != Agreement.Status.DRAFT:
        raise Blocked(
            _(
                "Every party has agreed to this agreement: its terms change only by "
                "renegotiating a term or by reconvening for a new version."
            )
        )


def _clear_signatures(agreement: Agreement) -> int:
    """Changing a draft's terms undoes the agreement given to the old wording."""
    cleared, _kinds = agreement.signatures.all().delete()
    return cleared


@transaction.atomic
def draft_agreement(
    *,
    case: Case,
    responsible: Participant,
    terms: Sequence[TermDetails],
    by: User,
    expected_version: int | None,
    meeting: Meeting | None = None,
) -> Agreement:
    """A new agreement for one responsible party, in draft until every party agrees."""
    lock_case(case, expected_version)
    if case.stage not in DRAFTING_STAGES:
        raise Blocked(_("An agreement is drafted once the restorative process has begun."))
    responsible.refresh_from_db()
    if (
        responsible.case_id != case.pk
        or responsible.role != Participant.Role.RESPONSIBLE
        or not responsible.is_active
    ):
        raise ValidationError({"responsible": _("Choose a responsible party taking part.")})
    if meeting is not None and (
        meeting.case_id != case.pk or meeting.status != Meeting.Status.HELD
    ):
        raise ValidationError({"meeting": _("Choose a meeting of this case that was held.")})
    if (
        Agreement.objects.filter(case=case, responsible=responsible)
        .exclude(status=Agreement.Status.SUPERSEDED)
        .exists()
    ):
        raise Blocked(
            _(
                "%(person)s already has an agreement in this case: change it, or reconvene "
                "for a new version."
            )
            % {"person": responsible.person.full_name}
        )
    checked = [(_check_term(case, details, responsible.pk), details) for details in terms]
    agreement = Agreement.objects.create(
        case=case, responsible=responsible, meeting=meeting, created_by=by
    )
    for position, (values, details) in enumerate(checked):
        term = Term.objects.create(agreement=agreement, position=position, **values)
        _save_instalments(term, details)
    _audit(case, agreement, "agreement.drafted", by, terms=len(checked))
    return agreement


def _next_position(agreement: Agreement) -> int:
    top = agreement.terms.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def add_term(
    *,
    agreement: Agreement,
    details: TermDetails,
    by: User,
    expected_version: int | None,
    reason: str = "",
) -> Term:
    case = lock_agreement(agreement, expected_version, reason=reason)
    _draft_only(agreement)
    values = _check_term(case, details, agreement.responsible_id)
    term = Term.objects.create(agreement=agreement, position=_next_position(agreement), **values)
    _save_instalments(term, details)
    cleared = _clear_signatures(agreement)
    _bump(agreement)
    _audit(case, agreement, "agreement.term_added", by, obj=term, reason=reason, cleared=cleared)
    return term


@transaction.atomic
def change_term(
    *,
    term: Term,
    details: TermDetails,
    by: User,
    expected_version: int | None,
    reason: str = "",
) -> Term:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=reason)
    _draft_only(agreement)
    term.refresh_from_db()
    values = _check_term(case, details, agreement.responsible_id)
    changed_fields = [name for name, value in values.items() if getattr(term, name) != value]
    for name, value in values.items():
        setattr(term, name, value)
    term.save()
    _save_instalments(term, details)
    cleared = _clear_signatures(agreement) if changed_fields or details.instalments else 0
    _bump(agreement)
    _audit(
        case,
        agreement,
        "agreement.term_changed",
        by,
        obj=term,
        reason=reason,
        changed_fields=changed_fields,
        cleared=cleared,
    )
    return term


@transaction.atomic
def remove_term(*, term: Term, by: User, expected_version: int | None, reason: str = "") -> None:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=reason)
    _draft_only(agreement)
    if term.payments.exists() or term.sessions.exists():
        raise Blocked(_("Payments or service sessions are recorded for this term: it stays."))
    term_id = term.pk
    term.instalments.all().delete()
    term.delete()
    cleared = _clear_signatures(agreement)
    _bump(agreement)
    _audit(case, agreement, "agreement.term_removed", by, term=str(term_id), cleared=cleared)


@transaction.atomic
def record_signature(
    *,
    agreement: Agreement,
    participant: Participant,
    method: str,
    agreed_on: date,
    by: User,
    expected_version: int | None,
    signed_name: str = "",
    scan_name: str = "",
    scan_type: str = "",
    reason: str = "",
) -> Signature:
    """One party's agreement. The last one makes the agreement binding."""
    case = lock_agreement(agreement, expected_version, reason=reason)
    _draft_only(agreement)
    errors: dict[str, str] = {}
    if participant.pk not in {p.pk for p in signers(agreement)}:
        errors["participant"] = _("Choose a party to this agreement.")
    elif agreement.signatures.filter(participant=participant).exists():
        errors["participant"] = _("This party's agreement is already recorded.")
    if method not in Signature.Method.values:
        errors["method"] = _("Say how they agreed.")
    elif method == Signature.Method.ON_SCREEN and not signed_name.strip():
        errors["signed_name"] = _("Ask them to type their name to sign.")
    elif method == Signature.Method.SCANNED and not scan_name:
        errors["scan"] = _("Upload the signed copy.")
    try:
        past_date(agreed_on)
    except ValidationError as error:
        errors["agreed_on"] = " ".join(error.messages)
    if not agreement.terms.exists():
        errors["participant"] = _("Add the terms before anyone agrees to them.")
    if errors:
        raise ValidationError(errors)
    signature = Signature.objects.create(
        agreement=agreement,
        participant=participant,
        method=method,
        agreed_on=agreed_on,
        signed_name=signed_name.strip() if method == Signature.Method.ON_SCREEN else "",
        scan_name=scan_name,
        scan_type=scan_type,
        witnessed_by=by if method == Signature.Method.VERBAL else None,
        recorded_by=by,
    )
    _bump(agreement)
    _audit(
        case,
        agreement,
        "agreement.signed",
        by,
        obj=signature,
        reason=reason,
        participant=str(participant.pk),
        method=method,
    )
    if {s.participant_id for s in agreement.signatures.all()} >= {p.pk for p in signers(agreement)}:
        agreement.status = Agreement.Status.BINDING
        agreement.agreed_at = timezone.now()
        agreement.save(update_fields=["status", "agreed_at"])
        _audit(case, agreement, "agreement.binding", None)
        from mend.agreements import hooks

        hooks.agreement_reached(case, agreement, by)
    return signature


def _check_status(term: Term, status: str, reason: str) -> None:
    if status not in Term.Status.values or status == Term.Status.RENEGOTIATED:
        # Renegotiating names the new wording: renegotiate_term does it.
        raise ValidationError({"status": _("Choose a status.")})
    if status in NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    if status == Term.Status.COMPLETED:
        from mend.agreements import progress

        missing = progress.what_completion_needs(term)
        if missing:
            raise Blocked(*missing)


def _in_force(agreement: Agreement) -> None:
    if agreement.status != Agreement.Status.BINDING:
        raise Blocked(
            _("Terms are followed up once every party has agreed and until the agreement ends.")
        )


@transaction.atomic
def set_term_status(
    *,
    term: Term,
    status: str,
    by: User,
    expected_version: int | None,
    reason: str = "",
    closed_reason: str = "",
) -> Term:
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    term.refresh_from_db()
    if term.status == Term.Status.RENEGOTIATED:
        raise Blocked(_("This term was renegotiated: follow up the term that replaced it."))
    _check_status(term, status, reason)
    old = term.status
    term.status = status
    term.status_reason = reason.strip() if status in NEEDS_REASON else ""
    term.status_changed_at = timezone.now()
    term.save(update_fields=["status", "status_reason", "status_changed_at"])
    _bump(agreement)
    _audit(
        case,
        agreement,
        "agreement.term_status",
        by,
        obj=term,
        reason=closed_reason,
        old=old,
        new=status,
    )
    return term


@transaction.atomic
def renegotiate_term(
    *,
    term: Term,
    details: TermDetails,
    reason: str,
    by: User,
    expected_version: int | None,
    closed_reason: str = "",
) -> Term:
    """The parties changed one term: the old one is kept, renegotiated, pointing at the new."""
    agreement = term.agreement
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    _in_force(agreement)
    term.refresh_from_db()
    if not term.is_open:
        raise Blocked(_("Only a pending or in-progress term can be renegotiated."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the term was renegotiated.")})
    values = _check_term(case, details, agreement.responsible_id)
    new = Term.objects.create(agreement=agreement, position=_next_position(agreement), **values)
    _save_instalments(new, details)
    term.status = Term.Status.RENEGOTIATED
    term.status_reason = reason.strip()
    term.status_changed_at = timezone.now()
    term.replaced_by = new
    term.save(update_fields=["status", "status_reason", "status_changed_at", "replaced_by"])
    _bump(agreement)
    _audit(
        case,
        agreement,
        "agreement.term_renegotiated",
        by,
        obj=term,
        reason=closed_reason,
        new_term=str(new.pk),
    )
    return new


@transaction.atomic
def reconvene(
    *,
    agreement: Agreement,
    reason: str,
    by: User,
    expected_version: int | None,
    meeting: Meeting | None = None,
    closed_reason: str = "",
) -> Agreement:
    """A new version, in draft, carrying over every open term; the old one is kept.

    The old version's open terms are marked renegotiated and point at their copies, so
    payments and hours recorded against them stay where they were made.
    """
    case = lock_agreement(agreement, expected_version, reason=closed_reason)
    if agreement.status not in (Agreement.Status.BINDING, Agreement.Status.NOT_COMPLETED):
        raise Blocked(_("Only an agreement every party agreed to can be reconvened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the parties are meeting again.")})
    if meeting is not None and (
        meeting.case_id != case.pk or meeting.status != Meeting.Status.HELD
    ):
        raise ValidationError({"meeting": _("Choose a meeting of this case that was held.")})
    agreement.status = Agreement.Status.SUPERSEDED
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["status", "ended_at"])
    new = Agreement.objects.create(
        case=case,
        responsible=agreement.responsible,
        meeting=meeting or agreement.meeting,
        number=agreement.number + 1,
        previous=agreement,
        reconvene_reason=reason.strip(),
        created_by=by,
    )
    from mend.agreements import progress

    now = timezone.now()
    position = 0
    for old in agreement.terms.filter(status__in=list(OPEN_STATUSES)):
        if progress.nothing_left(old):
            # Paid in full or served in full: done, not carried over.
            old.status = Term.Status.COMPLETED
            old.status_changed_at = now
            old.save(update_fields=["status", "status_changed_at"])
            continue
        copy = Term.objects.create(
            agreement=new,
            position=position,
            kind=old.kind,
            serves=old.serves,
            description=old.description,
            due_on=old.due_on,
            monitor=old.monitor,
            # What is still owed or still to do carries over.
            amount=progress.balance(old) if old.kind == Term.Kind.RESTITUTION else None,
            currency=old.currency,
            payee=old.payee,
            service_minutes=progress.minutes_left(old)
            if old.kind == Term.Kind.COMMUNITY_SERVICE
            else None,
            placement=old.placement,
            program_kind=old.program_kind,
            provider=old.provider,
            letter=old.letter,
        )
        old.status = Term.Status.RENEGOTIATED
        old.status_reason = reason.strip()
        old.status_changed_at = now
        old.replaced_by = copy
        old.save(update_fields=["status", "status_reason", "status_changed_at", "replaced_by"])
        position += 1
    _bump(agreement)
    _audit(case, new, "agreement.reconvened", by, reason=closed_reason, previous=str(agreement.pk))
    return new


OPEN_STATUSES = frozenset({Term.Status.PENDING, Term.Status.IN_PROGRESS})


def follow_case_ending(case: Case, by: User | None, reason: str) -> None:
    """The case ended: its agreements in force end with it (a cases registry hook, called
    under the case's row lock).

    Closed as completed with agreement, they are completed; any other ending (agreement
    not completed, a withdrawal) leaves them not completed. Their terms stay as they are:
    what was and was not done is recorded, never held against anyone beyond the program's
    own rules.
    """
    if case.stage not in ENDED:
        return
    completed = case.outcome == Outcome.COMPLETED_WITH_AGREEMENT
    status = Agreement.Status.COMPLETED if completed else Agreement.Status.NOT_COMPLETED
    now = timezone.now()
    in_force = Agreement.objects.select_for_update().filter(
        case=case, status=Agreement.Status.BINDING
    )
    for agreement in in_force.order_by("pk"):
        agreement.status = status
        agreement.ended_at = now
        agreement.save(update_fields=["status", "ended_at"])
        _bump(agreement)
        _audit(case, agreement, "agreement.ended", by, new=status, case_outcome=case.outcome)

"""The page of one term of an agreement, and the forms that follow it up.

Each form posts to its own action; a refusal shows the page again with that form and its
errors (400 for a mistake in the form, 409 when the agreement changed since it was opened
or the rules refuse), and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mend.accounts.models import User
from mend.agreements import hours, ledger, services, term_queries
from mend.agreements import term_follow_up as follow_up
from mend.agreements import term_forms as forms
from mend.agreements.amounts import written
from mend.agreements.models import Payment, ServiceSession, Term
from mend.cases import services as case_services
from mend.cases.services.base import Blocked, CaseRuleError
from mend.core import submissions
from mend.programs.access import program_view, refuse
from mend.programs.models import Membership

KINDS = Term.Kind
Run = Callable[[Any, Term, User], str]


@dataclass(frozen=True)
class TermAction:
    title: Any
    button: Any
    form: type[forms.TermForm]
    run: Run
    # The kinds of term it follows up (empty: every kind).
    kinds: frozenset[str]
    capability: str = "agreements.manage"
    # Check-in and check-out: also the volunteer who monitors the term.
    monitor_too: bool = False

    def may(self, membership: Membership, term: Term) -> bool:
        if membership.can(self.capability):
            return True
        return self.monitor_too and term.monitor_id == membership.user_id


def url_of(term: Term) -> str:
    return reverse(
        "agreements:term",
        kwargs={
            "reference": term.agreement.case.reference,
            "agreement_id": term.agreement_id,
            "term_id": term.pk,
        },
    )


def _version(form: forms.TermForm) -> int:
    return int(form.cleaned_data["version"])


def _payment(form: forms.PaymentForm, term: Term, by: User) -> str:
    data = form.cleaned_data
    ledger.record_payment(
        term=term,
        amount=data["amount"],
        paid_on=data["paid_on"],
        method=data["method"],
        receipt=data["receipt"],
        overpayment=data["overpayment"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The payment is recorded.")


def _correct(form: forms.CorrectionForm, term: Term, by: User) -> str:
    payment = Payment.objects.filter(term=term, pk=form.cleaned_data["payment"]).first()
    if payment is None:
        raise ValidationError({"payment": _("Choose a payment of this term.")})
    ledger.correct_payment(
        payment=payment,
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The payment is corrected: a correction reversing it is recorded.")


def _check_in(form: forms.CheckInForm, term: Term, by: User) -> str:
    hours.check_in(
        term=term,
        on=form.cleaned_data["on"],
        at=form.cleaned_data["at"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The check-in is recorded.")


def _check_out(form: forms.CheckOutForm, term: Term, by: User) -> str:
    session = term.sessions.filter(checked_out__isnull=True).first()
    if session is None:
        raise Blocked(_("No session is checked in."))
    try:
        hours.check_out(
            session=session,
            at=form.cleaned_data["at"],
            by=by,
            expected_version=_version(form),
            closed_reason=form.closed_reason,
        )
    except ValidationError as error:
        # The service names the session's column; the form calls it "at".
        raise ValidationError(
            {("at" if k == "checked_out" else k): v for k, v in error.message_dict.items()}
        ) from None
    return _("The check-out is recorded. The placement verifies the hours.")


def _verify(form: forms.VerifyForm, term: Term, by: User) -> str:
    session = ServiceSession.objects.filter(term=term, pk=form.cleaned_data["session"]).first()
    if session is None:
        raise ValidationError({"session": _("Choose a session of this term.")})
    hours.verify_session(
        session=session,
        via=ServiceSession.VerifiedVia.ON_BEHALF,
        verifier_name=form.cleaned_data["verifier_name"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The hours are verified on the placement's behalf.")


def _incident(form: forms.IncidentForm, term: Term, by: User) -> str:
    data = form.cleaned_data
    hours.record_incident(
        term=term,
        severity=data["severity"],
        category=data["category"],
        on=data["on"],
        text=data["text"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The warning or violation is recorded.")


def _confirm(form: forms.ConfirmForm, term: Term, by: User) -> str:
    hours.confirm_participation(
        term=term,
        confirmed_by=form.cleaned_data["confirmed_by"],
        confirmed_on=form.cleaned_data["confirmed_on"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The provider's confirmation is recorded.")


def _status(form: forms.StatusForm, term: Term, by: User) -> str:
    services.set_term_status(
        term=term,
        status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"],
        by=by,
        expected_version=_version(form),
        closed_reason=form.closed_reason,
    )
    return _("The term's status is saved.")


def _renegotiate(form: forms.RenegotiateForm, term: Term, by: User) -> str:
    data = form.cleaned_data
    hours_agreed = data.get("service_hours")
    details = services.TermDetails(
        kind=term.kind,
        description=data["description"],
        serves=term.serves,
        due_on=data["due_on"],
        monitor=term.monitor,
        amount=data.get("amount", term.amount),
        currency=term.currency,
        payee=term.payee,
        service_minutes=hours_agreed * 60 if hours_agreed else term.service_minutes,
        placement=term.placement,
        program_kind=term.program_kind,
        provider=data.get("provider", term.provider),
    )
    try:
        services.renegotiate_term(
            term=term,
            details=details,
            reason=data["reason"],
            by=by,
            expected_version=_version(form),
            closed_reason=form.closed_reason,
        )
    except ValidationError as error:
        raise ValidationError(
            {
                ("service_hours" if k == "service_minutes" else k): v
                for k, v in error.message_dict.items()
            }
        ) from None
    return _("The term is renegotiated: the new wording replaces it.")


EVERY = frozenset[str]()
ACTIONS: dict[str, TermAction] = {
    "payment": TermAction(
        gettext_lazy("Record a payment"),
        gettext_lazy("Record the payment"),
        forms.PaymentForm,
        _payment,
        frozenset({KINDS.RESTITUTION}),
    ),
    "correct": TermAction(
        gettext_lazy("Correct a payment"),
        gettext_lazy("Record the correction"),
        forms.CorrectionForm,
        _correct,
        frozenset({KINDS.RESTITUTION}),
    ),
    "check_in": TermAction(
        gettext_lazy("Check in"),
        gettext_lazy("Record the check-in"),
        forms.CheckInForm,
        _check_in,
        frozenset({KINDS.COMMUNITY_SERVICE}),
        monitor_too=True,
    ),
    "check_out": TermAction(
        gettext_lazy("Check out"),
        gettext_lazy("Record the check-out"),
        forms.CheckOutForm,
        _check_out,
        frozenset({KINDS.COMMUNITY_SERVICE}),
        monitor_too=True,
    ),
    "verify": TermAction(
        gettext_lazy("Verify hours on the placement's behalf"),
        gettext_lazy("Verify the hours"),
        forms.VerifyForm,
        _verify,
        frozenset({KINDS.COMMUNITY_SERVICE}),
        capability="agreements.verify_hours",
    ),
    "incident": TermAction(
        gettext_lazy("Record a warning or violation"),
        gettext_lazy("Record the warning or violation"),
        forms.IncidentForm,
        _incident,
        frozenset({KINDS.COMMUNITY_SERVICE}),
    ),
    "confirm": TermAction(
        gettext_lazy("Record the provider's confirmation"),
        gettext_lazy("Record the confirmation"),
        forms.ConfirmForm,
        _confirm,
        frozenset({KINDS.PROGRAM}),
    ),
    "status": TermAction(
        gettext_lazy("Change the status"),
        gettext_lazy("Save the status"),
        forms.StatusForm,
        _status,
        EVERY,
    ),
    "renegotiate": TermAction(
        gettext_lazy("Renegotiate this term"),
        gettext_lazy("Record the new wording"),
        forms.RenegotiateForm,
        _renegotiate,
        EVERY,
    ),
}


@dataclass(frozen=True)
class Shown:
    """A form on the page: where it posts, its heading and its button."""

    name: str
    action: TermAction
    form: forms.TermForm


def _payment_label(payment: Payment, currency: str) -> str:
    parts = [formats.date_format(payment.paid_on), written(payment.amount, currency)]
    if payment.receipt:
        parts.append(_("receipt %(receipt)s") % {"receipt": payment.receipt})
    return " · ".join(parts)


def _form_for(name: str, term: Term, data: Any = None) -> forms.TermForm:
    kwargs: dict[str, Any] = {"term": term, "prefix": name}
    if name == "correct":
        kwargs["choices"] = [
            (p.pk, _payment_label(p, term.currency)) for p in follow_up.uncorrected(term)
        ]
    elif name == "verify":
        kwargs["choices"] = [
            (s.pk, forms.session_label(s))
            for s in term.sessions.all()
            if s.minutes is not None and s.verified_at is None
        ]
    return ACTIONS[name].form(data, **kwargs)


def _offered(term: Term, membership: Membership) -> list[str]:
    """The forms that make sense for this term now, and that this person may send."""
    if not term.agreement.is_in_force or term.status == Term.Status.RENEGOTIATED:
        return []
    names = []
    for name, action in ACTIONS.items():
        if action.kinds and term.kind not in action.kinds:
            continue
        if not action.may(membership, term):
            continue
        names.append(name)
    sessions = list(term.sessions.all())
    open_session = any(s.checked_out is None for s in sessions)
    hide = set()
    if not term.is_open:
        # A settled term's status can still be put right; nothing else is recorded.
        hide |= set(ACTIONS) - {"status", "correct"}
    hide.add("check_in" if open_session else "check_out")
    if not any(s.minutes is not None and s.verified_at is None for s in sessions):
        hide.add("verify")
    if not follow_up.uncorrected(term):
        hide.add("correct")
    return [name for name in names if name not in hide]


def _replaces(term: Term) -> Term | None:
    try:
        return term.replaces
    except Term.DoesNotExist:
        return None


def _page(
    request: HttpRequest,
    membership: Membership,
    term: Term,
    bound: forms.TermForm | None = None,
    bound_name: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    shown = [
        Shown(name, ACTIONS[name], bound if name == bound_name and bound else _form_for(name, term))
        for name in _offered(term, membership)
    ]
    if bound is not None and bound_name not in {s.name for s in shown}:
        # Refused because the term moved on meanwhile: the form stays, with its reason.
        shown.insert(0, Shown(bound_name, ACTIONS[bound_name], bound))
    case = term.agreement.case
    return render(
        request,
        "agreements/term.html",
        {
            "case": case,
            "agreement": term.agreement,
            "term": term,
            "replaces": _replaces(term),
            "money": follow_up.money(term, today) if term.kind == KINDS.RESTITUTION else None,
            "service": follow_up.service(term) if term.kind == KINDS.COMMUNITY_SERVICE else None,
            "forms": shown,
            "problem_form": bound,
            "today": today,
        },
        status=status,
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@program_view()
@require_GET
def term_page(
    request: HttpRequest, membership: Membership, reference: str, agreement_id: int, term_id: int
) -> HttpResponse:
    term = term_queries.term_for(membership, reference, agreement_id, term_id)
    # The page names the people in the case, like the case page: it is logged.
    case_services.record_case_view(case=term.agreement.case, by=_user(request))
    return _page(request, membership, term)


def attach(form: forms.TermForm, error: ValidationError) -> None:
    """A service's refusal, on the form: next to the field it is about, or at the top."""
    by_field = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    for name, errors in by_field.items():
        target = name if name in form.fields and name != "version" else None
        for message in errors:
            form.add_error(target, message)


@program_view()
@require_POST
def term_action(
    request: HttpRequest,
    membership: Membership,
    reference: str,
    agreement_id: int,
    term_id: int,
    action: str,
) -> HttpResponse:
    term = term_queries.term_for(membership, reference, agreement_id, term_id)
    spec = ACTIONS.get(action)
    if spec is None or (spec.kinds and term.kind not in spec.kinds):
        raise Http404
    if not spec.may(membership, term):
        refuse(request, membership, spec.capability)
    form = _form_for(action, term, request.POST)
    if not form.is_valid():
        return _page(request, membership, term, form, action, status=400)
    status = _run(request, spec, form, term)
    if status:
        # Nothing was saved: show the term as it is now, with the form as it was sent.
        fresh = term_queries.term_for(membership, reference, agreement_id, term_id)
        form.term = fresh
        return _page(request, membership, fresh, form, action, status=status)
    return redirect(url_of(term))


def _run(request: HttpRequest, spec: TermAction, form: forms.TermForm, term: Term) -> int:
    """Record once: 0 when recorded (or recorded before, by the same form), else the
    status of the refusal."""
    by = _user(request)
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=by):
                messages.info(request, _("This was already saved."))
                return 0
            message = spec.run(form, term, by)
    except CaseRuleError as error:
        # A stale form (services.StaleAgreement) or a refusal of the rules.
        for sentence in error.messages:
            form.add_error(None, sentence)
        return 409
    except ValidationError as error:
        attach(form, error)
        return 400
    messages.success(request, message)
    return 0

"""A case's fees page (the program's own fees, never restitution), its section of the case
page, and the program's agreement settings page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.agreements import fees as fees_services
from mend.agreements import settings_services
from mend.agreements.fee_forms import AgreementSettingsForm, CorrectionForm, FeeForm
from mend.agreements.models import ZERO, FeeEntry
from mend.cases.models import Case, Participant
from mend.cases.queries import get_case_for
from mend.cases.services.base import CaseRuleError
from mend.cases.stages import ENDED
from mend.core import submissions
from mend.core.forms import Form
from mend.programs.access import program_view, refuse
from mend.programs.models import Membership
from mend.programs.settings_views import show_errors


def _save(form: Form, request: HttpRequest, save: Callable[[], object], done: str) -> int:
    """Save once: 0 when saved (or saved before, by the same form), else the error status."""
    by: User = request.user  # type: ignore[assignment]
    try:
        with transaction.atomic():
            if not submissions.claim(form.cleaned_data["submission"], user=by):
                messages.info(request, _("This was already saved."))
                return 0
            save()
    except CaseRuleError as error:
        for message in error.messages:
            form.add_error(None, message)
        return 409
    except ValidationError as error:
        show_errors(form, error)  # type: ignore[arg-type]
        return 409 if getattr(error, "code", None) == fees_services.STALE else 400
    messages.success(request, done)
    return 0


def _ledgers(case: Case) -> list[dict[str, Any]]:
    """Each payer's ledger, newest last, with what they owe and what can be corrected."""
    entries = list(fees_services.entries_of(case))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    ledgers = []
    for person in fees_services.payers(case):
        own = [e for e in entries if e.participant_id == person.pk]
        plans = [e for e in own if e.kind == FeeEntry.Kind.PLAN]
        ledgers.append(
            {
                "participant": person,
                "entries": own,
                "owed": sum((e.amount for e in own), ZERO),
                "plan": plans[-1] if plans else None,
                "correctable": [
                    e
                    for e in own
                    if e.kind in fees_services.CORRECTABLE and e.pk not in reversed_ids
                ],
            }
        )
    return ledgers


def _label(entry: FeeEntry, currency: str) -> str:
    return _("%(kind)s of %(amount)s %(currency)s on %(day)s") % {
        "kind": entry.get_kind_display(),
        "amount": abs(entry.amount),
        "currency": currency,
        "day": entry.on.isoformat(),
    }


@program_view()
@require_http_methods(["GET", "POST"])
def fees(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    if not membership.can("fees.view"):
        refuse(request, membership, "fees.view")
    setting = fees_services.settings_of(case.program_id)
    closed = case.stage in ENDED
    ledgers = _ledgers(case)
    may_record = membership.can("fees.record")
    which = request.POST.get("which") if request.method == "POST" else None
    if which and not may_record:
        refuse(request, membership, "fees.record")
    version = sum(len(ledger["entries"]) for ledger in ledgers)
    people = {ledger["participant"].pk: ledger["participant"] for ledger in ledgers}
    entry_form = FeeForm(
        request.POST if which == "entry" else None,
        closed=closed,
        standard_fee=setting.standard_fee,
        payers=[(pk, str(person.person)) for pk, person in people.items()],
        version=version,
    )
    correctable = {e.pk: e for ledger in ledgers for e in ledger["correctable"]}
    correction_form = CorrectionForm(
        request.POST if which == "correction" else None,
        closed=closed,
        choices=[
            (pk, f"{people[e.participant_id].person}: {_label(e, setting.currency)}")
            for pk, e in correctable.items()
        ],
        version=version,
        prefix="correct",
    )
    status = 0
    if which == "entry" and entry_form.is_valid():
        data = entry_form.cleaned_data
        status = _save(
            entry_form,
            request,
            lambda: fees_services.record_fee(
                case=case,
                participant=people[data["participant"]],
                details=fees_services.Details(
                    kind=data["kind"], amount=data["amount"], on=data["on"], note=data["note"]
                ),
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                closed_reason=data.get("closed_reason", ""),
            ),
            _("The fee ledger is updated."),
        )
    elif which == "correction" and correction_form.is_valid():
        data = correction_form.cleaned_data
        status = _save(
            correction_form,
            request,
            lambda: fees_services.correct_fee(
                entry=correctable[data["entry"]],
                reason=data["reason"],
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                closed_reason=data.get("closed_reason", ""),
            ),
            _("The entry is corrected: a new entry reverses it."),
        )
    elif which:
        status = 400
    if which and not status:
        return redirect("agreements:fees", reference=case.reference)
    return render(
        request,
        "agreements/fees.html",
        {
            "case": case,
            "ledgers": ledgers,
            "setting": setting,
            "may_charge": may_record and setting.charges_fees and bool(people),
            "may_correct": may_record and bool(correctable),
            "entry_form": entry_form,
            "correction_form": correction_form,
        },
        status=status or 200,
    )


def fees_section(case: Case, membership: Membership, request: HttpRequest) -> str:
    """The case page's short summary of fees: only where the program charges them."""
    if not membership.can("fees.view"):
        return ""
    setting = fees_services.settings_of(case.program_id)
    if not setting.charges_fees:
        return ""
    owed = fees_services.balances(case)
    rows = [
        {"participant": person, "owed": owed.get(person.pk, Decimal("0.00"))}
        for person in fees_services.payers(case)
        if person.role == Participant.Role.RESPONSIBLE or person.pk in owed
    ]
    return render_to_string(
        "agreements/fees_section.html",
        {"case": case, "rows": rows, "setting": setting},
        request=request,
    )


@program_view("program.configure")
@require_http_methods(["GET", "POST"])
def agreement_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = fees_services.settings_of(membership.program_id)
    form = AgreementSettingsForm(request.POST or None, current=current)
    status = 0
    if form.is_valid():
        data = form.cleaned_data
        status = _save(
            form,
            request,
            lambda: settings_services.update_agreement_settings(
                program=membership.program,
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                currency=data["currency"],
                charges_fees=data["charges_fees"],
                standard_fee=data["standard_fee"],
                reminder_days=data["reminder_days"],
                kinds_shared_with_referrer=data["kinds_shared_with_referrer"],
            ),
            _("The settings were saved."),
        )
        if not status:
            return redirect("agreements:agreement_settings")
    return render(
        request,
        "agreements/agreement_settings.html",
        {"form": form},
        status=status or (400 if form.errors else 200),
    )

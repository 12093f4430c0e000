"""The case page, the actions on a case and who looked at it. HTTP only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mend.accounts.models import User
from mend.cases import registry, services
from mend.cases.actions import ACTIONS, MOVE_TARGETS, Action
from mend.cases.changes import changes_since
from mend.cases.models import Case, EligibilityDecision, Participant
from mend.cases.notices import render_alert
from mend.cases.queries import (
    case_facts,
    get_case_for,
    notes_visible_to,
    sees_contact_details,
)
from mend.cases.road import road_ahead
from mend.cases.rules import CaseFacts, may_contact, what_blocks, what_no_longer_holds
from mend.cases.services.base import stale_sentences
from mend.cases.stages import COMPLETION_STAGES, ENDED, MAIN_PATH, NEXT, Stage
from mend.cases.timeline import timeline_for
from mend.core import submissions
from mend.core.models import AuditEvent
from mend.core.numbers import whole_number
from mend.programs.access import program_view
from mend.programs.models import ConsentPurpose, Membership


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _step_indicator(case: Case) -> list[dict[str, Any]]:
    """The main path, with the steps the case actually went through marked complete."""
    stage = case.paused_from if case.stage == Stage.PAUSED else case.stage
    reached = MAIN_PATH.index(Stage(stage)) if stage in MAIN_PATH else 0
    if stage in ENDED:
        # An ended case completed only the steps before the one it ended from.
        last = case.stage_changes.order_by("-created_at", "-id").first()
        before = last.from_stage if last else Stage.REFERRAL
        if before == Stage.PAUSED:
            before = Stage.PREPARATION
        reached = MAIN_PATH.index(Stage(before)) + 1 if before in MAIN_PATH else 0
    steps = []
    for i, step in enumerate(MAIN_PATH):
        if stage in ENDED and step == Stage.CLOSED:
            state = "current"
        elif i < reached:
            state = "complete"
        elif i == reached and stage not in ENDED:
            state = "current"
        else:
            state = ""
        steps.append({"label": step.label, "state": state})
    return steps


def _person_rows(
    case: Case, facts: CaseFacts, actions: list[Action], membership: Membership
) -> list[dict[str, Any]]:
    purposes = case.program.offered_purposes
    rows = []
    for participant in facts.participants:
        guardians = facts.guardians_of(participant) if participant.person.is_minor else []
        consents = []
        for purpose in purposes:
            own = facts.consent_state(participant, purpose)
            consents.append(
                {
                    "purpose": purpose,
                    "label": ConsentPurpose(purpose).label,
                    "state": own,
                    "given": facts.consent(participant, purpose),
                    "guardian": facts.guardian_state(participant, purpose) if guardians else "",
                }
            )
        stopped = may_contact(facts, participant)
        blocks = facts.order_notice(participant)
        rows.append(
            {
                "participant": participant,
                "consents": consents,
                "assessment": facts.assessment(participant),
                "minor": participant.person.is_minor,
                "guardians": guardians,
                "actions": [a for a in actions if a.applies_to(participant, facts)],
                "contact_stopped": facts.say([stopped])[0] if stopped else "",
                "offered": facts.offered(participant),
                "show_contact": sees_contact_details(membership, participant, facts),
                "orders": facts.active_orders(participant),
                "order_blocks": facts.say([blocks])[0] if blocks else "",
                # An order's terms and the reason it permits a meeting are the staff's.
                "show_order_notes": membership.can("cases.work"),
            }
        )
    return rows


def _moves(case: Case, facts: CaseFacts, actions: list[Action]) -> list[dict[str, Any]]:
    """The move buttons, each with the reasons it cannot succeed yet (if any)."""
    moves = []
    for action in actions:
        if not action.inline:
            continue
        target = MOVE_TARGETS[action.name](case)
        blockers = facts.say(what_blocks(facts, target)) if target else []
        label = (
            _("Move to %(stage)s") % {"stage": Stage(target).label}
            if action.name == "forward" and target
            else action.label
        )
        moves.append(
            {
                "action": action,
                "label": label,
                "blockers": blockers,
                "form": action.form(case=case),
            }
        )
    return moves


def _override(case: Case, membership: Membership) -> EligibilityDecision | None:
    """The latest accepted override, for those who may read its justification."""
    if not membership.can("cases.override_eligibility"):
        return None
    decision = (
        EligibilityDecision.objects.filter(case=case, passed=True)
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )
    # The justification is encrypted, so it is read, not searched.
    return decision if decision and decision.override_justification else None


@program_view()
def case_detail(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    user = _user(request)
    services.record_case_view(case=case, by=user)
    facts = case_facts(case)
    next_stage = NEXT.get(case.stage)
    blockers = facts.say(what_blocks(facts, next_stage)) if next_stage else []
    # Closing as completed has conditions of its own (apps add them).
    completion_blockers = (
        facts.say(registry.stage_conditions(facts, registry.COMPLETING))
        if case.stage in COMPLETION_STAGES
        else []
    )
    # Closing as completed with agreement has more: what was agreed must have been done.
    agreement_blockers = (
        facts.say(registry.stage_conditions(facts, registry.COMPLETING_WITH_AGREEMENT))
        if case.stage in COMPLETION_STAGES
        else []
    )
    stage = case.paused_from if case.stage == Stage.PAUSED else case.stage
    no_longer_holds = facts.say(what_no_longer_holds(facts, stage))
    actions = [a for a in ACTIONS.values() if a.allowed(case, membership)]
    case_actions = [a for a in actions if a.for_person is None and not a.inline and a.listed]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "steps": _step_indicator(case),
            "step_number": next(
                (i + 1 for i, s in enumerate(_step_indicator(case)) if s["state"] == "current"),
                0,
            ),
            "step_count": len(MAIN_PATH),
            "next_stage": Stage(next_stage).label if next_stage else "",
            "blockers": blockers,
            "completion_blockers": completion_blockers,
            "agreement_blockers": agreement_blockers,
            "road": road_ahead(facts),
            "no_longer_holds": no_longer_holds,
            "alert": render_alert(case.alert, facts.reading),
            "people": _person_rows(case, facts, actions, membership),
            "moves": _moves(case, facts, actions),
            "primary_actions": [a for a in case_actions if a.primary],
            "other_actions": [a for a in case_actions if not a.primary],
            "timeline": timeline_for(case, notes_visible_to(membership, case)),
            "team": case.assignments.select_related("user"),
            "override": _override(case, membership),
            "can_see_access": membership.can("cases.view_access_log"),
            "sections": registry.case_sections(case, membership, request),
        },
    )


def _participant_for(request: HttpRequest, case: Case, spec: Action) -> Participant | None:
    """The person an action about one person was opened for, if it applies to them."""
    asked = whole_number(request.POST.get("participant") or request.GET.get("participant"))
    if asked is None:
        return None
    participant = (
        case.participants.select_related("person", "supports__person").filter(pk=asked).first()
    )
    if participant is None or not spec.applies_to(participant, case_facts(case)):
        return None
    return participant


def _guardian_for(request: HttpRequest, participant: Participant) -> Participant | None:
    asked = whole_number(request.POST.get("guardian") or request.GET.get("guardian"))
    if asked is None:
        return None
    return (
        participant.supporters.filter(
            pk=asked, role=Participant.Role.GUARDIAN, status=Participant.Status.ACTIVE
        )
        .select_related("person")
        .first()
    )


def _names_another_guardian(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    raw = request.POST.get("guardian") or request.GET.get("guardian") or ""
    return "guardian" in kwargs and bool(raw) and kwargs["guardian"] is None


def _choose_person(request: HttpRequest, case: Case, spec: Action) -> HttpResponse:
    facts = case_facts(case)
    people = [p for p in facts.participants if spec.applies_to(p, facts)]
    # Opened for someone it no longer applies to (they withdrew, say): say so, and on a
    # form sent from an older page, what changed since it was opened.
    raw = request.POST.get("participant") or request.GET.get("participant") or ""
    asked = next((p for p in facts.participants if str(p.pk) == raw), None)
    since: list[str] = []
    sent_version = whole_number(request.POST.get("version"))
    if request.method == "POST" and sent_version is not None and sent_version < case.version:
        since = changes_since(case, sent_version)
    return render(
        request,
        "cases/choose_person.html",
        {
            "case": case,
            "action": spec,
            "people": people,
            "title": spec.label,
            "asked": asked,
            "since": since,
        },
        status=409 if request.method == "POST" and asked is not None else 200,
    )


def _form_kwargs(request: HttpRequest, case: Case, spec: Action) -> dict[str, Any] | None:
    if spec.for_person is None:
        return {"case": case, **(spec.opened_with(request, case) if spec.opened_with else {})}
    participant = _participant_for(request, case, spec)
    if participant is None:
        return None
    kwargs: dict[str, Any] = {"case": case, "participant": participant}
    if spec.name == "consent":
        kwargs["guardian"] = _guardian_for(request, participant)
    return kwargs


@program_view()
@require_http_methods(["GET", "POST"])
def case_action(
    request: HttpRequest, membership: Membership, reference: str, action: str
) -> HttpResponse:
    case = get_case_for(membership, reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.allowed(case, membership):
        messages.error(request, _("That is not possible for this case now."))
        return redirect(case)
    kwargs = _form_kwargs(request, case, spec)
    if kwargs is None:
        return _choose_person(request, case, spec)
    if _names_another_guardian(request, kwargs):
        # Consent "given by" someone who is not this person's own guardian is refused,
        # never quietly recorded as the person's own.
        messages.error(
            request,
            _("Only %(name)s's own parent or guardian can consent for them. Nothing was saved.")
            % {"name": kwargs["participant"].person},
        )
        return redirect(case)
    posted = request.method == "POST"
    form = spec.form(request.POST if posted else None, request.FILES if posted else None, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = _run(request, spec, form, case)
            if isinstance(outcome, HttpResponse):
                return outcome
            status = outcome
        else:
            status = 400
            opened_on = whole_number(request.POST.get("version"))
            if opened_on is not None and opened_on != case.version:
                # A choice that vanished (a meeting cancelled meanwhile) is news, not a
                # mistake: say what changed.
                for sentence in stale_sentences(case, int(opened_on)):
                    form.add_error(None, sentence)
                status = 409
    return render(
        request,
        "cases/case_action.html",
        {
            "case": case,
            "action": spec,
            "form": form,
            "title": _title(spec, case, form),
        },
        status=status,
    )


def _title(spec: Action, case: Case, form: Any) -> str:
    if spec.name == "forward" and case.stage in NEXT:
        return _("Move to %(stage)s") % {"stage": Stage(NEXT[case.stage]).label}
    if spec.name == "resume" and case.paused_by is not None:
        return _("Resume at the request of %(name)s") % {"name": case.paused_by.person}
    participant = getattr(form, "participant", None)
    if participant is not None:
        guardian = getattr(form, "guardian", None)
        if guardian is not None:
            return _("%(action)s: %(name)s, given by %(guardian)s") % {
                "action": spec.label,
                "name": participant.person,
                "guardian": guardian.person,
            }
        return _("%(action)s: %(name)s") % {"action": spec.label, "name": participant.person}
    return str(spec.label)


def _run(request: HttpRequest, spec: Action, form: Any, case: Case) -> HttpResponse | int:
    """Do the action once: a second send of the same form goes where the first went."""
    token = form.cleaned_data["submission"]
    try:
        with transaction.atomic():
            if not submissions.claim(token, user=_user(request)):
                messages.info(request, _("This was already saved."))
                return redirect(submissions.earlier_result(token) or case.get_absolute_url())
            message = spec.handler(form, case, _user(request))
            submissions.remember_result(token, case.get_absolute_url())
    except services.StaleCase as error:
        form.add_error(None, " ".join(error.messages))
        return 409
    except services.CaseRuleError as error:
        for sentence in error.messages:
            form.add_error(None, sentence)
        return 409
    except ValidationError as error:
        attach(form, error)
        return 400
    messages.success(request, message)
    return redirect(case)


def attach(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@program_view("cases.view_access_log")
def case_access(request: HttpRequest, membership: Membership, reference: str) -> HttpResponse:
    case = get_case_for(membership, reference)
    views = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action="case.viewed"
    ).order_by("-occurred_at", "-id")
    page = Paginator(views, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_access.html", {"case": case, "page": page})

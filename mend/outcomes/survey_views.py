"""The staff pages of surveys (capability surveys.manage): the surveys and their
versions, the program-wide anonymous links, the surveys sent with their status and
response rates, and sending one by hand. HTTP only: reads in survey_queries, writes in
survey_services and survey_sending."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mend.cases.models import Case, Participant
from mend.cases.queries import cases_visible_to
from mend.cases.services.base import CaseRuleError
from mend.outcomes import survey_queries
from mend.outcomes.models import SurveyKind, SurveyLink, SurveyQuestion, SurveyVersion
from mend.outcomes.periods import parse_quarter, program_today, quarter_containing, recent_quarters
from mend.outcomes.survey_forms import FindCaseForm, QuestionsForm, SendForm
from mend.outcomes.survey_sending import hand_over_link, link_of, send_survey
from mend.outcomes.survey_services import (
    current_version,
    ensure_surveys,
    make_anonymous_link,
    revise_questions,
    revoke_anonymous_link,
)
from mend.programs.access import program_view
from mend.programs.models import Membership
from mend.programs.settings_forms import OUT_OF_DATE


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page was opened on; None when the form did not send it, which
    is refused: a staff form always says what it was opened on."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _version_for(membership: Membership, version_id: int) -> SurveyVersion:
    found = (
        SurveyVersion.objects.filter(pk=version_id, template__program=membership.program)
        .select_related("template")
        .first()
    )
    if found is None:
        raise Http404
    return found


@program_view("surveys.manage")
@require_GET
def surveys(request: HttpRequest, membership: Membership) -> HttpResponse:
    program = membership.program
    templates = ensure_surveys(program, membership.user)
    period = parse_quarter(request.GET.get("quarter", "")) or quarter_containing(
        program_today(program)
    )
    by_kind, by_role = survey_queries.response_rates(program, period)
    rows = []
    for _kind, template in sorted(templates.items()):
        versions = list(template.versions.order_by("-number"))
        links = SurveyLink.objects.filter(
            version__template=template, revoked_at__isnull=True
        ).select_related("version")
        rows.append((template, versions, current_version(template), list(links)))
    return render(
        request,
        "outcomes/surveys/surveys.html",
        {
            "rows": rows,
            "period": period,
            "quarters": recent_quarters(program, 8),
            "by_kind": by_kind,
            "by_role": by_role,
        },
    )


def asked_of(question: SurveyQuestion) -> str:
    if not question.roles:
        return _("Everyone")
    words = dict(Participant.Role.choices)
    return ", ".join(str(words.get(role, role)) for role in question.roles)


@program_view("surveys.manage")
@require_GET
def version(request: HttpRequest, membership: Membership, version_id: int) -> HttpResponse:
    found = _version_for(membership, version_id)
    return render(
        request,
        "outcomes/surveys/version.html",
        {"version": found, "questions": [(q, asked_of(q)) for q in found.questions.all()]},
    )


@program_view("surveys.manage")
@require_GET
def sent(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = survey_queries.invitations_of(membership.program).order_by("-sent_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    shown = [(invitation, survey_queries.status_of(invitation, now)) for invitation in page]
    return render(
        request,
        "outcomes/surveys/sent.html",
        {"page": page, "shown": shown, "words": survey_queries.STATUS_WORDS},
    )


def _link_page(request: HttpRequest, url: str, *, anonymous: bool, name: str = "") -> HttpResponse:
    return render(
        request,
        "outcomes/surveys/link.html",
        {"url": url, "anonymous": anonymous, "name": name},
    )


@program_view("surveys.manage")
@require_POST
def hand_over(request: HttpRequest, membership: Membership, invitation_id: int) -> HttpResponse:
    invitation = survey_queries.invitation_for(membership.program, invitation_id)
    if invitation is None:
        raise Http404
    expected = _posted_version(request)
    if expected is None:
        messages.error(request, OUT_OF_DATE)
        return redirect("outcomes:survey_sent")
    try:
        invitation, token = hand_over_link(
            invitation=invitation, by=membership.user, expected_version=expected
        )
    except CaseRuleError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("outcomes:survey_sent")
    return _link_page(
        request,
        link_of(token),
        anonymous=invitation.anonymous,
        name=str(invitation.participant.person),
    )


@program_view("surveys.manage")
@require_POST
def make_link(request: HttpRequest, membership: Membership, version_id: int) -> HttpResponse:
    found = _version_for(membership, version_id)
    _link, token = make_anonymous_link(version=found, by=membership.user)
    return _link_page(request, link_of(token), anonymous=True)


@program_view("surveys.manage")
@require_POST
def revoke_link(request: HttpRequest, membership: Membership, link_id: int) -> HttpResponse:
    link = SurveyLink.objects.filter(pk=link_id, program=membership.program).first()
    if link is None:
        raise Http404
    try:
        revoke_anonymous_link(link=link, by=membership.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The anonymous link no longer works."))
    return redirect("outcomes:surveys")


def _case_of(membership: Membership, reference: str) -> Case | None:
    return (
        cases_visible_to(membership)
        .filter(reference=reference.strip())
        .select_related("program")
        .first()
    )


@program_view("surveys.manage")
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, membership: Membership) -> HttpResponse:
    finder = FindCaseForm(request.GET if "case" in request.GET else None)
    case = None
    status = 200
    if finder.is_valid():
        case = _case_of(membership, finder.cleaned_data["case"])
        if case is None:
            finder.add_error("case", _("No case of this program has that reference."))
            status = 400 if request.method == "POST" else 200
    form = None
    if case is not None:
        people = case.participants.select_related("person").order_by("role", "id")
        choices = [(p.pk, f"{p.person} ({p.get_role_display()})") for p in people]
        form = SendForm(request.POST if request.method == "POST" else None, choices=choices)
        if form.is_valid():
            participant = people.get(pk=form.cleaned_data["participant"])
            try:
                done = send_survey(
                    participant=participant,
                    kind=form.cleaned_data["kind"],
                    by=membership.user,
                    anonymous=form.cleaned_data["anonymous"],
                )
            except CaseRuleError as error:
                for text in error.messages:
                    form.add_error("participant", text)
                status = 409
            else:
                if done.invitation.channel == done.invitation.Channel.BY_HAND:
                    return _link_page(
                        request,
                        link_of(done.token),
                        anonymous=done.invitation.anonymous,
                        name=str(participant.person),
                    )
                messages.success(
                    request,
                    _("The survey went by e-mail to %(name)s.") % {"name": participant.person},
                )
                return redirect("outcomes:survey_sent")
        elif form.is_bound:
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "outcomes/surveys/send.html",
        {"finder": finder, "case": case, "form": form},
        status=status,
    )


@program_view("surveys.manage")
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    if kind not in SurveyKind.values:
        raise Http404
    template = ensure_surveys(membership.program, membership.user)[kind]
    current = current_version(template)
    form = QuestionsForm(
        request.POST if request.method == "POST" else None,
        questions=list(current.questions.all()),
    )
    status = 200
    expected = _posted_version(request) if form.is_bound else None
    if form.is_bound and expected is None:
        form.is_valid()
        form.add_error(None, OUT_OF_DATE)
        status = 400
    elif form.is_valid():
        assert expected is not None
        try:
            made = revise_questions(
                template=template,
                questions=form.drafts(),
                by=membership.user,
                expected_version=expected,
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            status = 409
        else:
            if made.number != current.number:
                messages.success(
                    request,
                    _(
                        "The questions are saved as version %(number)s, sent from now on. "
                        "Answers already given keep the version they answered."
                    )
                    % {"number": made.number},
                )
            else:
                messages.success(request, _("The questions are saved."))
            return redirect("outcomes:survey_version", made.pk)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "outcomes/surveys/questions.html",
        {"template": template, "current": current, "form": form},
        status=status,
    )

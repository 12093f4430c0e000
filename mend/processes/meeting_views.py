"""The page of one meeting: when and where, who leads it, who is invited and came, what
can be done with it next, and its history."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mend.accounts.models import User
from mend.cases import services as case_services
from mend.cases.queries import get_case_for
from mend.processes import plug, queries
from mend.programs.access import program_view
from mend.programs.models import Membership


@program_view()
def meeting_detail(
    request: HttpRequest, membership: Membership, reference: str, meeting_id: int
) -> HttpResponse:
    case = get_case_for(membership, reference)
    meeting = (
        plug.with_what_is_shown(queries.meetings_of_case(membership, case))
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    user = request.user
    assert isinstance(user, User)
    # The meeting page names the people in the case, like the case page: it is logged.
    case_services.record_case_view(case=case, by=user)
    records = queries.conference_records_for(membership, case, [meeting])
    sees_record = records is not None
    history = sorted(plug.meeting_entries(case, only=meeting), key=lambda e: e.at, reverse=True)
    return render(
        request,
        "processes/meeting_detail.html",
        {
            "case": case,
            "row": plug.meeting_row(meeting, case, membership, records, sees_record=sees_record),
            "allowed": plug.allowed_actions(case, membership),
            "history": history,
            "zone": case.program.time_zone,
        },
    )

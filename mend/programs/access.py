"""The door to every program page: signed in, a current membership, the right capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse

from mend.core import audit
from mend.core.models import AuditEvent
from mend.programs.models import Membership

P = ParamSpec("P")
ProgramView = Callable[Concatenate[HttpRequest, Membership, P], HttpResponse]


def program_view(
    capability: str | None = None,
) -> Callable[[ProgramView[P]], Callable[Concatenate[HttpRequest, P], HttpResponse]]:
    """Run the view with the user's current membership.

    No current membership: 404 (the program is not theirs to know about). A membership
    without the capability: 403, and the refusal is audited.
    """

    def decorator(view: ProgramView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if capability is not None and not membership.can(capability):
                _audit_refusal(request, membership, capability)
                raise PermissionDenied
            return view(request, membership, *args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps() hides the signature change

    return decorator


def refuse(request: HttpRequest, membership: Membership, capability: str) -> None:
    """Refuse, audited, once a view has found the object and only then the capability."""
    _audit_refusal(request, membership, capability)
    raise PermissionDenied


@transaction.atomic
def _audit_refusal(request: HttpRequest, membership: Membership, capability: str) -> None:
    audit.record(
        actor=request.user,  # type: ignore[arg-type]
        action="access.denied",
        program=membership.program,
        outcome=AuditEvent.Outcome.DENIED,
        path=request.path[:200],
        capability=capability,
    )

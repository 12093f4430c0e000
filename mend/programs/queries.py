"""Reads that depend on who is asking. Program data is reached through these only."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.http import Http404

from mend.core.models import AuditEvent
from mend.programs.models import (
    Agency,
    EligibilityCriterion,
    Invitation,
    Membership,
    OffenceCategory,
    Program,
)

if TYPE_CHECKING:
    from mend.accounts.models import User


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's current memberships, each with its program (and agency) loaded."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("program", "agency")
        .order_by("program__name")
    )


def programs_visible_to(user: User) -> QuerySet[Program]:
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    if user.is_superuser:
        return Program.objects.filter(is_active=True)
    return Program.objects.filter(is_active=True, id__in=memberships_of(user).values("program_id"))


def membership_for(user: User, program: Program | str) -> Membership:
    """The user's current membership in a program, or 404: strangers learn nothing."""
    slug = program if isinstance(program, str) else program.slug
    membership = memberships_of(user).filter(program__slug=slug).first()
    if membership is None:
        raise Http404
    return membership


def programs_with_capability(user: User, capability: str) -> QuerySet[Program]:
    if user.is_superuser:
        return programs_visible_to(user)
    ids = [m.program_id for m in memberships_of(user) if m.can(capability)]
    return Program.objects.filter(id__in=ids)


def agencies_of(membership: Membership) -> QuerySet[Agency]:
    return Agency.objects.filter(program_id=membership.program_id)


def offence_categories_of(membership: Membership) -> QuerySet[OffenceCategory]:
    """The categories of the caller's program, in use or not."""
    return OffenceCategory.objects.filter(program_id=membership.program_id)


def eligibility_criteria_of(membership: Membership) -> QuerySet[EligibilityCriterion]:
    """The criteria of the caller's program, in use or not."""
    return EligibilityCriterion.objects.filter(program_id=membership.program_id)


def can_reset_password(member: Membership) -> bool:
    """A program administrator may reset the password of someone who works only here.

    Someone with roles elsewhere, or a platform superuser, could otherwise be taken over
    from one program to reach another.
    """
    user = member.user
    if user.is_superuser:
        return False
    return not memberships_of(user).exclude(program_id=member.program_id).exists()


def members_of(membership: Membership) -> QuerySet[Membership]:
    """Everyone's memberships in the caller's program (current and past)."""
    if not membership.can("members.manage"):
        raise Http404
    return (
        Membership.objects.filter(program_id=membership.program_id)
        .select_related("user", "agency")
        .order_by("ended_at", "user__username")
    )


def audit_events_of(membership: Membership) -> QuerySet[AuditEvent]:
    """What the program's audit trail may list: its own events, and the account events
    (sign-ins, passwords, two-factor) of its people from while their role here lasted.

    A role granted today does not open someone's earlier history, in this program or
    before it, and an ended role stops showing what the person does next.
    """
    if not membership.can("audit.view"):
        raise Http404
    program = membership.program
    day = OuterRef("local_day")
    while_member = Membership.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef("occurred_at")),
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        program_id=program.pk,
        created_at__lte=OuterRef("occurred_at"),
        starts_on__lte=day,
    )
    by_member = while_member.filter(user_id=OuterRef("actor_id"))
    # A failed sign-in has no actor: it names the account it tried.
    on_member = while_member.annotate(account=Cast("user_id", CharField())).filter(
        account=OuterRef("object_id")
    )
    account = Q(program__isnull=True) & (
        Exists(by_member) | (Q(object_type="accounts.user", actor__isnull=True) & Exists(on_member))
    )
    return AuditEvent.objects.annotate(
        local_day=TruncDate("occurred_at", tzinfo=ZoneInfo(program.time_zone))
    ).filter(Q(program_id=program.pk) | account)


def invitation_for(token: str) -> Invitation | None:
    """The invitation a link's token opens, if any. Only the token's hash is stored."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("program", "agency")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )

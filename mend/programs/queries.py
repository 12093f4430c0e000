"""Reads that depend on who is asking. Program data is reached through these only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from mend.programs.models import (
    Agency,
    EligibilityCriterion,
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

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mend.core.admin import ProgramScopedAdmin, admin_site
from mend.programs.models import (
    Agency,
    EligibilityCriterion,
    Membership,
    OffenceCategory,
    Program,
    RetentionRule,
)


class ProgramAdmin(ProgramScopedAdmin):
    program_field = "id"
    list_display = ["name", "slug", "time_zone", "require_mfa", "is_active"]
    fields = [
        "name",
        "time_zone",
        "languages",
        "require_mfa",
        "process_types",
        "consent_purposes",
        "assessment_validity_days",
        "rj_offer_deadline_working_days",
        "contact_phone",
        "contact_email",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New programs are created by the platform operator (superuser) only.
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgencyAdmin(ProgramScopedAdmin):
    list_display = ["name", "kind", "program", "refers_cases", "is_active"]
    list_filter = ["kind", "is_active"]
    fields = ["program", "name", "kind", "refers_cases", "is_active"]
    search_fields = ["name"]


class OffenceCategoryAdmin(ProgramScopedAdmin):
    list_display = ["label", "code", "handling", "program", "position", "is_active"]
    list_filter = ["handling", "is_active"]
    fields = ["program", "code", "label", "label_es", "handling", "position", "is_active"]


class EligibilityCriterionAdmin(ProgramScopedAdmin):
    list_display = ["label", "code", "program", "position", "is_active"]
    fields = ["program", "code", "label", "label_es", "position", "is_active"]


class RetentionRuleAdmin(ProgramScopedAdmin):
    list_display = ["category", "keep_for_months", "program"]
    fields = ["program", "category", "keep_for_months"]


class MembershipAdmin(ProgramScopedAdmin):
    """Read-only here: roles change on the People and roles page, through the service."""

    list_display = ["user", "role", "program", "agency", "starts_on", "expires_on", "ended_at"]
    list_filter = ["role"]
    readonly_fields = (
        "user",
        "program",
        "role",
        "agency",
        "starts_on",
        "expires_on",
        "ended_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin_site.register(Program, ProgramAdmin)
admin_site.register(Agency, AgencyAdmin)
admin_site.register(OffenceCategory, OffenceCategoryAdmin)
admin_site.register(EligibilityCriterion, EligibilityCriterionAdmin)
admin_site.register(RetentionRule, RetentionRuleAdmin)
admin_site.register(Membership, MembershipAdmin)

"""Accounts in the admin: platform superusers only, since an account spans programs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from mend.accounts import services
from mend.accounts.models import User
from mend.core import audit
from mend.core.admin import admin_site


class AccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["username", "full_name", "email", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name", "email"]
    view_on_site = False
    fields = ["username", "full_name", "email", "preferred_language", "is_active"]

    def _superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and admin_site.has_permission(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are added on a program's People and roles page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit trail refers to accounts

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        by: User = request.user  # type: ignore[assignment]
        with transaction.atomic():
            deactivating = "is_active" in form.changed_data and not obj.is_active
            other_fields = [name for name in form.changed_data if name != "is_active"]
            if other_fields or not deactivating:
                super().save_model(request, obj, form, change)
                audit.record(
                    actor=by, action="account.changed", obj=obj, changed_fields=other_fields
                )
            if deactivating:
                services.deactivate_user(user=obj, by=by)


admin_site.register(User, AccountAdmin)

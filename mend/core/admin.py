"""Django admin: the platform operator's tool, for superusers only.

Program administrators configure their program on Mend's own pages (/program/), which
check every setting; here a signed-in person who is not a superuser gets the 403 page.
Every admin save and delete is audited in its transaction. The "view on site" shortcut
(/admin/r/<type>/<id>/) is not served: it would open any object without scoping.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from mend.core import audit


class MendAdminSite(admin.AdminSite):
    site_header = _("Mend configuration")
    site_title = _("Mend configuration")
    index_title = _("Program configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        from mend.accounts.queries import is_verified, mfa_required_for

        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_superuser):
            return False
        return bool(is_verified(user) or not mfa_required_for(user))

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        # Django sends everyone without permission to the login page, which sends a
        # signed-in person straight back: a loop. Anyone signed in who is not a
        # superuser is refused instead; a superuser still owing a code signs in again.
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if user.is_authenticated and not user.is_superuser:
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        return inner

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [
            url
            for url in super().get_urls()
            if not (isinstance(url, URLPattern) and url.name == "view_on_site")
        ]

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in page for the whole site, with its lockout and two-factor steps.
        target = request.GET.get("next", reverse("admin:index"))
        return HttpResponseRedirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': target})}")

    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        from mend.accounts.views import sign_out

        return sign_out(request)

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:password_change"))


admin_site = MendAdminSite(name="admin")


class ProgramScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Configuration rows of programs; every write audited and makes open settings forms stale."""

    program_field = "program"
    view_on_site = False

    def _programs(self, request: HttpRequest) -> QuerySet[Any]:
        from mend.programs.queries import programs_with_capability

        return programs_with_capability(request.user, "program.configure")  # type: ignore[arg-type]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.program_field == "id":
            return queryset.filter(id__in=self._programs(request))
        return queryset.filter(**{f"{self.program_field}__in": self._programs(request)})

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        from mend.programs.models import Agency, Program

        if db_field.related_model is Program:
            kwargs["queryset"] = self._programs(request)
        elif db_field.related_model is Agency:
            kwargs["queryset"] = Agency.objects.filter(program__in=self._programs(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def _program_of(self, obj: models.Model) -> Any:
        return obj if self.program_field == "id" else getattr(obj, self.program_field)

    def _touch_program(self, obj: models.Model) -> None:
        # A settings form opened before this change must not overwrite it.
        from mend.programs.models import Program

        program = self._program_of(obj)
        Program.objects.filter(pk=program.pk).update(version=F("version") + 1)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._touch_program(obj)
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{obj._meta.model_name}.{'changed' if change else 'created'}",
                obj=obj,
                program=self._program_of(obj),
                changed_fields=form.changed_data,
                via="admin",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{obj._meta.model_name}.deleted",
                obj=obj,
                program=self._program_of(obj),
                via="admin",
            )
            self._touch_program(obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

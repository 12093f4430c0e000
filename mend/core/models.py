"""The audit trail. Every service writes one row here in the same transaction as its change."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        DENIED = "denied", _("Denied")
        FAILED = "failed", _("Failed")

    occurred_at = models.DateTimeField(_("when (UTC)"), auto_now_add=True, db_index=True)
    # PROTECT: users and programs are deactivated, never deleted while audit rows exist.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The username at the time, so the row still reads if the account is renamed.
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The record the event belongs to (for everything done to a case: the case), so a
    # case's history is one indexed lookup whatever object the event names.
    subject_type = models.CharField(_("belongs to (type)"), max_length=80, blank=True)
    subject_id = models.CharField(_("belongs to (id)"), max_length=64, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    # Names of the fields that changed - never their values, which may be confidential.
    changed_fields = models.JSONField(_("fields changed"), default=list, blank=True)
    # Small, non-confidential context: a role name, a reason category, an IP address.
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["program", "-occurred_at"], name="audit_program_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(fields=["subject_type", "subject_id", "-id"], name="audit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only.")


class SentForm(models.Model):
    """A form that has been acted on, by its one-time token, so a second send of the same
    form (a double click, a browser retry) is recognised instead of saved twice."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # Where the first send led, so the second can go to the same place.
    result_url = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.token


class RefusalWindow(models.Model):
    """How often one address was refused one kind of thing in one window of time.

    Lets repeated refusals (an unknown API key, a sign-in with a made-up username) be
    counted instead of each writing its own audit row, and be answered with 429 past a
    limit. Audit rows are append-only, so the count lives here.
    """

    kind = models.CharField(max_length=80)
    address = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "address", "window_start"], name="one_refusal_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.address} {self.window_start:%Y-%m-%d %H:%M} x{self.count}"

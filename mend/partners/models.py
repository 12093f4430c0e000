"""Partner systems: API keys, their per-minute request counts, idempotent submissions and
status webhooks.

A key's text is shown once when it is created; only its SHA-256 hash is kept. Keys are
revoked, never deleted, so the audit trail and past submissions keep pointing at them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mend.core.fields import EncryptedTextField
from mend.programs.models import Agency, Program


class Scope(models.TextChoices):
    REFERRALS_WRITE = "referrals:write", _("Send referrals")
    REFERRALS_READ = "referrals:read", _("Read referral status and offence categories")


class ApiKey(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="api_keys"
    )
    # Everything sent with the key is sent on behalf of this agency.
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    # The short public part of the key ("mend_<prefix>_<secret>"), to recognise it in lists.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    # sha256 hex digest of the whole key text. The key itself is never stored.
    hashed_secret = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "-created_at"], name="api_key_program")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_scopes_display(self) -> list[str]:
        return [str(Scope(s).label) if s in Scope.values else s for s in self.scopes or []]


class ApiRateWindow(models.Model):
    """Requests a key made in one minute. One row per key and minute, counted atomically."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "window_start"], name="one_rate_window_per_key_and_minute"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id} {self.window_start:%H:%M} {self.count}"


class IdempotentRequest(models.Model):
    """A referral submitted with an Idempotency-Key: a retry gets the same referral back."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of the validated request body, to tell a retry from a different request.
    fingerprint = models.CharField(max_length=64)
    referral = models.ForeignKey(
        "cases.Referral", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="one_request_per_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id} {self.key}"


class WebhookEndpoint(models.Model):
    """Where Mend tells an agency's system that one of its referrals changed status.

    The secret signs each delivery, so it is kept (encrypted), not hashed. An agency has
    at most one active endpoint; replacing it deactivates the old one.
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="webhooks"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(is_active=True),
                name="one_active_webhook_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.url}"


class WebhookDelivery(models.Model):
    """One event to send to one endpoint, tried until delivered or 24 hours have passed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # What went wrong, in a few words; never the receiver's response body.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} ({self.status})"

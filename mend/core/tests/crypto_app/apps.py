from __future__ import annotations

from django.apps import AppConfig


class CryptoTestConfig(AppConfig):
    """A model with encrypted fields, installed only under test (see config/settings.py)."""

    name = "mend.core.tests.crypto_app"
    label = "crypto_test"
    default_auto_field = "django.db.models.BigAutoField"

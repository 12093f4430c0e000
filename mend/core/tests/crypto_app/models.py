from __future__ import annotations

from django.db import models

from mend.core.fields import EncryptedTextField


class Secret(models.Model):
    name = models.CharField(max_length=100, blank=True)
    phone = EncryptedTextField(blank=True)
    note = EncryptedTextField(blank=True)

    def __str__(self) -> str:
        return self.name

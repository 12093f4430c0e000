"""Model fields whose values are encrypted at rest (see mend/core/crypto.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from mend.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text that Python code sees as plaintext and the database only as an "enc1:" token.

    The column's "app_label.model.field" is bound to each value, so a token copied into
    another column does not decrypt. Values cannot be searched: every lookup but `isnull`
    is refused. Structured data is stored as JSON text (json.dumps) in this field.
    """

    description = "Encrypted text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("unique") or kwargs.get("primary_key"):
            # Each value is encrypted with a fresh nonce, so the database cannot compare them.
            raise TypeError("EncryptedTextField cannot be unique or a primary key.")
        super().__init__(*args, **kwargs)
        self.context = ""

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        # Set again for each concrete child of an abstract model, so each has its own context.
        self.context = f"{cls._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value, context=self.context)

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value, context=self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            self._refuse(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        self._refuse(lookup_name)

    def _refuse(self, lookup_name: str) -> None:
        raise FieldError(
            f"{self.context or self.name} is encrypted and cannot be searched: "
            f"'{lookup_name}' is not supported (only 'isnull' is)."
        )


class CodeListField(models.JSONField):
    """A JSON list of codes (languages, processes...), checked by its validators.

    The validators run before JSONField's own check, which serialises the value and would
    recurse without limit into a deeply nested one; they refuse anything but a flat list.
    The form field it gives refuses JSON text nested too deep to parse, instead of failing.
    """

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        value = self.to_python(value)
        self.run_validators(value)
        self.validate(value, model_instance)
        return value

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        from mend.core.forms import CodeListFormField

        return super().formfield(**{"form_class": CodeListFormField, **kwargs})

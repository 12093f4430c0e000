"""Re-encrypt every encrypted field value that is not under the current key.

Run it after putting a new key first in MEND_FIELD_KEYS (keeping the old ones after it) on
every server; remove an old key only once this reports nothing left to re-encrypt.
Safe to run again: values already under the current key are left alone.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F

from mend.core import audit, crypto
from mend.core.fields import EncryptedTextField

BATCH = 500


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        # Local fields only: a parent model's fields are handled with the parent.
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _raw(field: EncryptedTextField) -> ExpressionWrapper[F]:
    # The stored token: a plain TextField output skips the field's decrypting from_db_value.
    return ExpressionWrapper(F(field.attname), output_field=models.TextField())


class Command(BaseCommand):
    help = "Re-encrypt encrypted field values under the current key (MEND_FIELD_KEYS[0])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        current = crypto.current_key_id()
        for model, fields in encrypted_models():
            label = model._meta.label
            with transaction.atomic():
                rows = self.rekey(model, fields, current, dry_run=dry_run)
                if rows and not dry_run:
                    audit.record(
                        actor=None,
                        actor_label="rotate_field_keys",
                        action="fields.rekeyed",
                        model=label,
                        rows=rows,
                        key_id=current,
                    )
            verb = "would re-encrypt" if dry_run else "re-encrypted"
            self.stdout.write(f"{label}: {verb} {rows} row(s) under key {current!r}.")

    def rekey(
        self,
        model: type[models.Model],
        fields: list[EncryptedTextField],
        current: str,
        *,
        dry_run: bool,
    ) -> int:
        raw = {f"raw_{field.attname}": _raw(field) for field in fields}
        queryset = model._base_manager.annotate(**raw).order_by("pk")
        # Pages by primary key, each read in full before writing: SQLite gives no isolation
        # between a cursor that is still being read and updates to the same table.
        last: Any = None
        rows = 0
        while True:
            page = queryset if last is None else queryset.filter(pk__gt=last)
            batch = list(page.values_list("pk", *raw)[:BATCH])
            if not batch:
                return rows
            for pk, *tokens in batch:
                changes = {
                    field.attname: self.plaintext(model, field, pk, token)
                    for field, token in zip(fields, tokens, strict=True)
                    if token is not None and crypto.key_id_of(token) != current
                }
                if changes:
                    rows += 1
                    if not dry_run:
                        # update() encrypts through the field, under the current key.
                        model._base_manager.filter(pk=pk).update(**changes)
            last = batch[-1][0]

    def plaintext(
        self, model: type[models.Model], field: EncryptedTextField, pk: Any, token: str
    ) -> str:
        try:
            return crypto.decrypt(token, context=field.context)
        except crypto.DecryptionError as error:
            # Stop and roll this model back: a value no configured key opens needs a person.
            raise CommandError(f"{model._meta.label} pk={pk}: {error}") from None

"""Print a new field encryption key as "id:base64", ready for MEND_FIELD_KEYS."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mend.core import crypto


class Command(BaseCommand):
    help = "Print a new random 32-byte field encryption key as 'id:base64'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--id", dest="kid", help="Key id (default: k followed by today's date, k20250131)."
        )

    def handle(self, *args: Any, kid: str | None = None, **options: Any) -> None:
        kid = kid or datetime.now(UTC).strftime("k%Y%m%d")
        if not crypto.KEY_ID.fullmatch(kid):
            raise CommandError("The key id must be 1-16 letters, digits, '_' or '-'.")
        key = base64.urlsafe_b64encode(secrets.token_bytes(crypto.KEY_BYTES)).decode()
        self.stdout.write(f"{kid}:{key}")

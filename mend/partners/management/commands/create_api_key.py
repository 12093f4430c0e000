"""Create an API key for a partner system. The key is printed on the last line, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mend.partners import services
from mend.partners.models import Scope
from mend.programs.models import Agency, Program


class Command(BaseCommand):
    help = (
        "Create an API key for an agency of a program and print it (on the last line). "
        "Only its hash is stored: copy it now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="The program's short name (slug).")
        parser.add_argument("--agency", required=True, help="The agency's name, exactly.")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated: {', '.join(Scope.values)}.",
        )
        parser.add_argument("--name", default="", help="What the key is for (default: agency).")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Stop working after this many days."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program with the short name {options['program']!r}.")
        agency = Agency.objects.filter(program=program, name=options["agency"]).first()
        if agency is None:
            names = ", ".join(program.agencies.values_list("name", flat=True)) or "none"
            raise CommandError(f"No agency {options['agency']!r} in {program}. Agencies: {names}.")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        unknown = sorted(set(scopes) - set(Scope.values))
        if unknown or not scopes:
            raise CommandError(f"Scopes must be among: {', '.join(Scope.values)}.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            key, key_text = services.create_api_key(
                program=program,
                agency=agency,
                name=options["name"] or f"{agency.name} partner system",
                scopes=scopes,
                expires_at=expires_at,
                by=None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expiry = f"expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else "no expiry"
        self.stdout.write(
            f"Created API key {key.prefix} for {agency.name} ({', '.join(key.scopes)}; {expiry})."
        )
        self.stdout.write("Copy it now: it is not shown again.")
        self.stdout.write(key_text)

"""Load the demo: a program, its agencies, one account per role, and each app's demo data.

Safe to run again: what exists is kept, what is missing is added.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from mend.programs import demo as programs_demo


class Command(BaseCommand):
    help = "Create or complete the demo program, its accounts and demo data."

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        with transaction.atomic():
            self._step(programs_demo)
            context = programs_demo.load()
            # Later apps add their own demo data (cases, meetings...) in a demo.py.
            for config in apps.get_app_configs():
                module = f"{config.name}.demo"
                is_ours = config.name.startswith("mend.") and config.name != "mend.programs"
                if is_ours and find_spec(module) is not None:
                    demo = import_module(module)
                    self._step(demo)
                    demo.load(context)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {context.program.name}. Sign in as "
                + ", ".join(context.users)
                + " with the password 'mend-demo'."
            )
        )

    def _step(self, module: Any) -> None:
        """Say what is being loaded (the first line of the demo module's docstring)."""
        if self.verbosity >= 1:
            summary = (module.__doc__ or module.__name__).strip().splitlines()[0]
            self.stdout.write(f"  {summary}")
            self.stdout.flush()

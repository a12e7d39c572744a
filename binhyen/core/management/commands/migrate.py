"""`binhyen migrate` migrates every configured database (the SQLite inbox included).

`--database X` (and Django's own programmatic calls) keep the stock behaviour.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import migrate


class Command(migrate.Command):
    def run_from_argv(self, argv: list[str]) -> None:
        if any(a == "--database" or a.startswith("--database=") for a in argv):
            super().run_from_argv(argv)
            return
        for alias in settings.DATABASES:
            super().run_from_argv([*argv, "--database", alias])

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)


__all__ = ["Command", "call_command"]

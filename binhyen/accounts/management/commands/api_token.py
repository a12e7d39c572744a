from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.accounts.models import User
from binhyen.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Personal API tokens: `binhyen api-token create USERNAME` prints the token last."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create")
        c.add_argument("username")
        c.add_argument("--name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {opts['username']!r}")
        _row, token = api_token_create(user=user, name=opts["name"])
        self.stdout.write(f"API token for {user.username} (shown once): {token}")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.channels.services import zalo_page_connect
from binhyen.units.models import Unit


class Command(BaseCommand):
    help = "Zalo OA pages: `binhyen zalo connect --unit CODE --oa-id … --app-id …`"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("connect", help="connect or update a unit's Zalo OA page")
        c.add_argument("--unit", required=True, help="unit code, e.g. 24133")
        c.add_argument("--oa-id", required=True)
        c.add_argument("--app-id", required=True)
        c.add_argument("--oa-secret-key", required=True)
        c.add_argument("--app-secret-key", required=True)
        c.add_argument("--access-token")
        c.add_argument("--refresh-token")
        c.add_argument("--name", help="page name shown to officers")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = Unit.objects.filter(code=opts["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit with code {opts['unit']!r}")
        for key in ("oa_id", "app_id"):
            if not opts[key].isdigit():
                raise CommandError(f"--{key.replace('_', '-')} must be digits")
        account, created = zalo_page_connect(
            unit=unit,
            oa_id=opts["oa_id"],
            app_id=opts["app_id"],
            oa_secret_key=opts["oa_secret_key"],
            app_secret_key=opts["app_secret_key"],
            name=opts.get("name"),
            access_token=opts.get("access_token"),
            refresh_token=opts.get("refresh_token"),
        )
        verb = "connected" if created else "updated"
        self.stdout.write(f"{verb} page {account.name} (OA {account.external_id}) → {unit.code}")

"""`binhyen open311 create-key --name NAME [--unit CODE]` prints a new key once;
`binhyen open311 revoke-key PREFIX`; `binhyen open311 keys` lists them (prefixes only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.open311 import services
from binhyen.open311.models import ApiKey
from binhyen.units.models import Unit


class Command(BaseCommand):
    help = "Open311 API keys for partner systems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create-key", help="create a key (printed once)")
        c.add_argument("--name", required=True)
        c.add_argument("--unit", help="unit code receiving the requests (default: the root)")
        c.add_argument("--per-hour", type=int, default=120)
        r = sub.add_parser("revoke-key", help="revoke a key by its prefix")
        r.add_argument("prefix")
        sub.add_parser("keys", help="list keys")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "keys":
            for k in ApiKey.objects.order_by("created_at"):
                state = "revoked" if k.revoked_at else "active"
                self.stdout.write(f"{k.prefix}…\t{state}\t{k.name}")
            return
        if opts["action"] == "revoke-key":
            row = ApiKey.objects.filter(prefix=opts["prefix"][:12]).first()
            if row is None:
                raise CommandError("no such key")
            services.api_key_revoke(key=row)
            self.stdout.write(f"revoked {row.prefix}…")
            return
        unit = (
            Unit.objects.filter(code=opts["unit"]).first()
            if opts.get("unit")
            else Unit.objects.filter(parent__isnull=True).order_by("path").first()
        )
        if unit is None:
            raise CommandError("no such unit")
        created, raw = services.api_key_create(
            name=opts["name"], unit=unit, requests_per_hour=opts["per_hour"]
        )
        self.stdout.write(raw)
        self.stderr.write(f"key for {created.name} → {unit.name}; shown once, store it now")

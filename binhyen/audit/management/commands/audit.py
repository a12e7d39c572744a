"""`binhyen audit verify` walks the hash chain; `binhyen audit head` prints an anchor;
`binhyen audit install-guard` puts the database triggers back (idempotent).

Exit codes of `verify`: 0 the chain is intact and the database guard is in place;
1 the chain is broken (the first broken entry is printed); 3 the chain is intact but
the guard triggers are missing or disabled.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from binhyen.audit import guard
from binhyen.audit.services import DB, audit_verify

EXIT_BROKEN = 1
EXIT_GUARD_MISSING = 3
_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    m = _ANCHOR.match(value.strip().lower())
    if m is None:
        raise CommandError(
            "--expect must look like SEQ:SHA256HEX (see `binhyen audit head`)", returncode=2
        )
    return int(m.group(1)), m.group(2)


class Command(BaseCommand):
    help = "Audit log: `verify` the hash chain (exit 0 intact, 1 broken), `head` for anchors."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="walk the chain and report the first broken entry")
        v.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="an anchor recorded earlier (by `audit head`): that entry must still match",
        )
        sub.add_parser("head", help="print the last entry as SEQ:HASH, to keep elsewhere")
        sub.add_parser("install-guard", help="(re)install the triggers refusing UPDATE/DELETE")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "install-guard":
            guard.install(connections[DB])
            self.stdout.write("audit guard triggers installed")
            return
        if opts["action"] == "head":
            result = audit_verify()
            self.stdout.write(f"{result.last_seq}:{result.last_hash}")
            if not result.ok:
                raise CommandError(
                    f"chain broken at entry {result.broken_seq}: {result.reason}",
                    returncode=EXIT_BROKEN,
                )
            return
        anchor = _anchor(opts["expect"]) if opts.get("expect") else None
        result = audit_verify(anchor=anchor)
        if not result.ok:
            raise CommandError(
                f"audit chain BROKEN at entry {result.broken_seq}: {result.reason} "
                f"({result.entries} entries before it are intact)",
                returncode=EXIT_BROKEN,
            )
        self.stdout.write(
            f"audit chain OK: {result.entries} entries, head {result.last_seq}:{result.last_hash}"
        )
        if not guard.is_installed(connections[DB]):
            raise CommandError(
                "audit chain intact, but the database guard triggers are missing or disabled "
                "(reinstall with `binhyen audit install-guard`)",
                returncode=EXIT_GUARD_MISSING,
            )

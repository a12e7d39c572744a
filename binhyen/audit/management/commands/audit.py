"""`binhyen audit verify` walks the keyed chain (and the anchor file); `binhyen audit head`
prints an anchor; `anchor` appends the head to the anchor file now; `seal` closes an
upgraded log's unkeyed part; `generate-key` prints a new audit key; `install-guard` puts
the database triggers back (idempotent).

Exit codes of `verify`: 0 the chain is intact and the database guard is in place;
1 the chain is broken (the first broken entry is printed); 3 the chain is intact but
the guard triggers are missing or disabled.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from binhyen.audit import guard
from binhyen.audit.services import (
    DB,
    AuditSealRefused,
    audit_anchor_write,
    audit_chain_seal,
    audit_verify,
)

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
        v.add_argument(
            "--anchors",
            metavar="PATH",
            help="an anchor file to check against (default: BINHYEN_AUDIT_ANCHOR_FILE), "
            "e.g. a copy kept on another machine",
        )
        sub.add_parser("head", help="print the last entry as SEQ:HASH, to keep elsewhere")
        sub.add_parser("install-guard", help="(re)install the triggers refusing UPDATE/DELETE")
        sub.add_parser("anchor", help="append the current head to the anchor file and the log")
        sub.add_parser("seal", help="after upgrading: close the unkeyed part of the log")
        sub.add_parser("generate-key", help="print a new random audit key")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "generate-key":
            self.stdout.write(secrets.token_urlsafe(48))
            return
        if opts["action"] == "anchor":
            line = audit_anchor_write()
            self.stdout.write(line or "nothing anchored (empty log or no anchor file set)")
            return
        if opts["action"] == "seal":
            try:
                sealed = audit_chain_seal()
            except AuditSealRefused as exc:
                raise CommandError(str(exc), returncode=EXIT_BROKEN) from exc
            self.stdout.write(
                f"sealed: entry {sealed.seq}" if sealed else "nothing to seal (empty or keyed)"
            )
            return
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
        result = audit_verify(anchor=anchor, anchor_file=opts.get("anchors"))
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

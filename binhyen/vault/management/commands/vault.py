"""`binhyen vault rotate-keys` re-encrypts every encrypted column under the newest key;
`binhyen vault rotate-keys --check` only counts what is still under an older key;
`binhyen vault generate-key` prints a new Fernet key. Procedure: docs/protection.md.

Exit codes: 0 done (or, with --check, nothing left under older keys); 1 values remain under
older keys (--check) or some values could not be decrypted with any configured key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.lib import crypto
from binhyen.vault.rotation import ColumnReport, rotate_all


class Command(BaseCommand):
    help = "Identity vault keys: rotate-keys (re-encrypt under the newest key), generate-key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("rotate-keys", help="re-encrypt every encrypted value")
        r.add_argument(
            "--check", action="store_true", help="count values under older keys, change nothing"
        )
        r.add_argument("--batch-size", type=int, default=500)
        sub.add_parser("generate-key", help="print a new key to put first in BINHYEN_VAULT_KEYS")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "generate-key":
            self.stdout.write(crypto.generate_key())
            return
        write = not opts["check"]
        reports = rotate_all(write=write, batch_size=max(1, opts["batch_size"]))
        for r in reports:
            self.stdout.write(
                f"{r.label}: {r.values} values, {r.current} already current, "
                f"{r.rotated} {'re-encrypted' if write else 'under older keys'}"
                + (f", {r.unreadable} UNREADABLE" if r.unreadable else "")
            )
        rotated = sum(r.rotated for r in reports)
        unreadable = sum(r.unreadable for r in reports)
        if write:
            _audit(reports)
            self.stdout.write(f"vault key rotation done: {rotated} values re-encrypted")
        if unreadable:
            raise CommandError(
                f"{unreadable} values cannot be decrypted with any configured key "
                "(was a key removed too early?)",
                returncode=1,
            )
        if not write and rotated:
            raise CommandError(
                f"{rotated} values are still under older keys: run `binhyen vault rotate-keys`",
                returncode=1,
            )


def _audit(reports: list[ColumnReport]) -> None:

    with transaction.atomic():
        audit_record(
            action=AuditAction.VAULT_KEY_ROTATION,
            actor=None,
            summary=f"Mã hóa lại {sum(r.rotated for r in reports)} giá trị bằng khóa mới nhất",
            details={
                "columns": [r.label for r in reports],
                "rotated": sum(r.rotated for r in reports),
                "current": sum(r.current for r in reports),
                "unreadable": sum(r.unreadable for r in reports),
            },
        )

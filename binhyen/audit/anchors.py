"""The anchor file: the chain head, once a day, outside the database.

Each line is `<local time> <seq>:<hash> key=<key id> mac=<HMAC of the rest>`, appended
with O_APPEND and fsync'd. The same head goes to the log (`binhyen.audit.anchor`), which
a deployment usually ships elsewhere. `binhyen audit verify` reads every line: an anchored
entry that is missing (the end of the log was cut) or different (the chain was rewritten,
even through the application) breaks verification, and so does a line whose MAC does
not match (the file was edited by someone without the key).
"""

from __future__ import annotations

import hmac
import os
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from binhyen.audit import chain, keys


class AnchorFileError(ValueError):
    """The anchor file cannot be trusted (a line was edited or is unreadable)."""


def append(path: str, *, at: datetime, seq: int, value: str, key_id: str, key: bytes) -> str:
    body = f"{timezone.localtime(at).isoformat(timespec='seconds')} {seq}:{value} key={key_id}"
    line = f"{body} mac={chain.line_mac(key, body)}"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def _lines(path: str) -> list[str]:
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read().splitlines()


def read(path: str) -> list[tuple[int, str, int]]:
    """(seq, hash, line number) of every anchor, each line's MAC checked."""
    out = []
    for number, text in enumerate(_lines(path), start=1):
        if not text.strip():
            continue
        body, _sep, mac = text.rpartition(" mac=")
        parts = body.split()
        try:
            if len(parts) != 3 or not parts[2].startswith("key="):
                raise ValueError("malformed")
            seq_text, value = parts[1].split(":")
            seq = int(seq_text)
            key = keys.by_id(parts[2].removeprefix("key="))
        except (ValueError, keys.UnknownAuditKey) as exc:
            raise AnchorFileError(f"anchor file line {number} is unreadable ({exc})") from exc
        if not hmac.compare_digest(chain.line_mac(key, body), mac.strip()):
            raise AnchorFileError(f"anchor file line {number} was altered (its MAC does not match)")
        out.append((seq, value, number))
    return out


def last_at(path: str) -> datetime | None:
    """When the last anchor was written (None: no readable anchor yet)."""
    for text in reversed(_lines(path)):
        if text.strip():
            try:
                return datetime.fromisoformat(text.split()[0])
            except ValueError:
                return None
    return None

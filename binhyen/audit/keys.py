"""The audit keys: HMAC keys kept outside the database (`BINHYEN_AUDIT_KEYS`, newest first).

New entries are signed with the first key; entries signed with an older key verify as long
as that key stays in the list (rotation: add the new key in front, keep the old one).
Demo and test settings derive a key from the secret key; production refuses to start
without one (settings.py).
"""

from __future__ import annotations

from django.conf import settings

from binhyen.audit import chain


class UnknownAuditKey(LookupError):
    """An entry names a key that is not configured (removed too early, or forged)."""


def _keys() -> list[bytes]:
    return [k.encode() for k in settings.AUDIT_KEYS if k]


def current() -> tuple[str, bytes]:
    """(key id, key) new entries are signed with."""
    found = _keys()
    if not found:
        raise UnknownAuditKey("no audit key configured (BINHYEN_AUDIT_KEYS)")
    return chain.key_id(found[0]), found[0]


def by_id(key_id: str) -> bytes:
    for key in _keys():
        if chain.key_id(key) == key_id:
            return key
    raise UnknownAuditKey(f"audit key {key_id} is not configured (BINHYEN_AUDIT_KEYS)")

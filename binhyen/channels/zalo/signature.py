"""Zalo OA webhook signature (X-ZEvent-Signature).

Zalo signs with a plain SHA-256 (not HMAC) of app_id + raw body + the body's `timestamp`
field + the OA Secret Key, sent as ``mac=<hex>`` (zalo-oa.md §2.3). The raw bytes matter:
re-serialised JSON would not verify.
"""

from __future__ import annotations

import hashlib
import hmac


def compute_signature(*, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(
        app_id.encode() + raw_body + str(timestamp).encode() + oa_secret_key.encode()
    )
    return digest.hexdigest()


def signature_header(*, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    return "mac=" + compute_signature(
        app_id=app_id, raw_body=raw_body, timestamp=timestamp, oa_secret_key=oa_secret_key
    )


def signature_matches(
    header: str | None, *, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """Accept the header with or without the ``mac=`` prefix, compared in constant time."""
    if not header:
        return False
    got = header.strip()
    if got.lower().startswith("mac="):
        got = got[4:]
    want = compute_signature(
        app_id=app_id, raw_body=raw_body, timestamp=timestamp, oa_secret_key=oa_secret_key
    )
    return hmac.compare_digest(got.lower().encode(), want.encode())

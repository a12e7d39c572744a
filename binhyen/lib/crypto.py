"""Encryption at rest for secrets and identity data (Fernet, keys from the environment).

`settings.VAULT_KEYS` lists Fernet keys newest first: new values are encrypted with the
first, any listed key decrypts, and `rotate()` re-encrypts a token under the newest key.
Blind indexes (`lookup_hash`) let us find a row by an identifier without storing it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.VAULT_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError("value cannot be decrypted with the configured vault keys") from exc


def rotate(token: str) -> str:
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError("value cannot be decrypted with the configured vault keys") from exc


def lookup_hash(*parts: str) -> str:
    """A keyed, stable digest of an identifier, for unique keys and lookups.

    Keyed with the secret key (not the vault keys) so that vault key rotation does not
    change it.
    """
    key = hashlib.sha256(("lookup:" + settings.SECRET_KEY).encode()).digest()
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")

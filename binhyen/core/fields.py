"""Model fields shared by several apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from binhyen.lib import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token; reads decrypt, writes encrypt.

    Not searchable or sortable by design. Empty strings are stored as empty strings so
    that "no secret" stays distinguishable without decrypting.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return None if value is None else ""
        return str(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON document stored encrypted (identity data, raw provider events)."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

"""Write and system-read paths of the identity vault."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from binhyen.vault.models import Identity


@transaction.atomic
def identity_create(*, data: dict[str, Any]) -> Identity:
    return Identity.objects.create(data={k: v for k, v in data.items() if v not in (None, "")})


@transaction.atomic
def identity_merge(*, identity: Identity, data: dict[str, Any]) -> Identity:
    """Add what a citizen told us; existing fields are updated, nothing is dropped."""
    if identity.erased_at is not None:
        return identity
    current = dict(identity.data or {})
    for key, value in data.items():
        if value not in (None, "", {}):
            current[key] = value
    identity.data = current
    identity.save(update_fields=["data", "updated_at"])
    return identity


@transaction.atomic
def identity_erase(*, identity: Identity) -> Identity:
    """Forget who this is; case history that points here stays intact."""
    identity.data = None
    identity.erased_at = timezone.now()
    identity.save(update_fields=["data", "erased_at", "updated_at"])
    return identity


def identity_system_value(identity: Identity | None, key: str) -> str | None:
    """For machine use only (e.g. the Zalo user id a reply is addressed to).

    Never render the result; officers see identities through an audited reveal.
    """
    if identity is None or identity.erased_at is not None or not identity.data:
        return None
    value = identity.data.get(key)
    return str(value) if value is not None else None

"""The identity vault's storage: who a citizen is, kept apart from everything else.

Below the cases: contacts point here. Reading an identity for a person is an audited act
and lives in `services.py`; here are only the writes and the machine's own reads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.lib import txbatch
from binhyen.vault.models import Identity

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.units.models import Unit


# Stages above the vault that keep copies of what a person wrote outside their cases (triage's
# labelled examples and the models trained on them) forget them when the person is erased.
# Named by dotted path, as in cases.services.lifecycle, so the vault imports nothing above
# it; each is called with the identity, inside the erasure's transaction, before its data
# is emptied.
ERASE_REACTIONS: tuple[str, ...] = ("binhyen.triage.reactions.identity_erased",)


@cache
def _erase_reactions() -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in ERASE_REACTIONS)


class VaultError(Exception):
    """Refused; the message is shown to the officer as is."""


# --- identities -------------------------------------------------------------------------------


def identity_data(data: dict[str, Any]) -> dict[str, Any]:
    """What an identity keeps of what a channel told us (no empty values)."""
    return {k: v for k, v in data.items() if v not in (None, "")}


@txbatch.atomic  # no savepoint when events share the transaction
def identity_create(*, data: dict[str, Any]) -> Identity:
    return Identity.objects.create(data=identity_data(data))


def identities_create(datas: list[dict[str, Any]]) -> list[Identity]:
    """Several identities in one INSERT (a worker batch's new citizens), as `identity_create`
    writes each; in the caller's transaction."""
    return Identity.objects.bulk_create([Identity(data=identity_data(d)) for d in datas])


@txbatch.atomic  # no savepoint when events share the transaction
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
def identity_erase(
    *,
    identity: Identity,
    actor: User | None = None,
    reason: str = "",
    source: str = "citizen_withdraw",
    unit: Unit | None = None,
    request: HttpRequest | None = None,
) -> Identity:
    """Forget who this is; case history that points here stays intact. Audited.

    Called with no actor when the citizen withdrew consent on their channel (Zalo's
    `user_withdraw`), with the administrator otherwise (`identity_erase_request`).
    """
    if identity.erased_at is not None:
        return identity
    for react in _erase_reactions():
        react(identity=identity)
    identity.data = None
    identity.erased_at = timezone.now()
    identity.save(update_fields=["data", "erased_at", "updated_at"])
    audit_record(
        action=AuditAction.IDENTITY_ERASE,
        actor=actor,
        target=identity,
        target_unit=unit,
        summary=(
            "Xóa danh tính người báo tin theo yêu cầu của người dân"
            if source == "citizen_withdraw"
            else "Xóa danh tính người báo tin (yêu cầu được quản trị viên thực hiện)"
        ),
        details={"identity_id": identity.pk, "source": source, "reason": reason[:300]},
        request=request,
    )
    return identity


def identity_values(identity: Identity | None) -> list[str]:
    """Every value the vault holds about a person, for masking them out of text kept
    elsewhere (triage's training data). Machine use only: never render the result."""
    if identity is None or identity.erased_at is not None or not identity.data:
        return []
    return [str(v) for v in identity.data.values() if isinstance(v, str | int) and str(v)]


def identity_system_value(identity: Identity | None, key: str) -> str | None:
    """For machine use only (e.g. the Zalo user id a reply is addressed to).

    Never render the result; officers see identities through an audited reveal.
    """
    if identity is None or identity.erased_at is not None or not identity.data:
        return None
    value = identity.data.get(key)
    return str(value) if value is not None else None

"""Write paths for staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import ApiToken, Membership, User
from binhyen.audit.services import audit_record
from binhyen.units.models import Unit

TOKEN_PREFIX = "by_"  # noqa: S105 (a prefix, not a secret)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], key_hash=_hash_token(token)
    )

    audit_record(
        action="api_token.create",
        actor=user,
        target=row,
        summary=f"{user.username} {row.prefix}…",
        details={"prefix": row.prefix},
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a personal API token (idempotent), with its audit entry."""
    from binhyen.audit.services import audit_record

    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api_token.revoke",
            actor=actor,
            target=token,
            target_unit=None,
            summary=f"{token.user.username} {token.prefix}…",
            details={"prefix": token.prefix, "token_user_id": token.user_id},
        )
    return token


def api_token_authenticate(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


@transaction.atomic
def staff_upsert(
    *,
    username: str,
    password: str | None,
    full_name: str,
    rank: str = "",
    memberships: list[tuple[Unit, str]] = (),  # type: ignore[assignment]
    is_superuser: bool = False,
    reset_password: bool = True,
) -> User:
    """Create or update a staff account. With reset_password=False an existing account
    keeps its password; `password` is only set on an account created here."""
    user, created = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.rank = rank
    user.is_staff = is_superuser
    user.is_superuser = is_superuser
    if password is not None and (created or reset_password):
        user.set_password(password)
    user.save()
    for unit, role in memberships:
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user

"""Write paths for channel accounts (pages)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from binhyen.channels.models import ChannelAccount, Provider
from binhyen.units.models import Unit


@transaction.atomic
def zalo_page_connect(
    *,
    unit: Unit,
    oa_id: str,
    app_id: str,
    oa_secret_key: str,
    app_secret_key: str,
    name: str | None = None,
    access_token: str | None = None,
    refresh_token: str | None = None,
    expires_in: int = 90000,
) -> tuple[ChannelAccount, bool]:
    """Connect (or update) a Zalo OA page for a unit. Idempotent on the OA id."""
    account = ChannelAccount.objects.filter(provider=Provider.ZALO, external_id=oa_id).first()
    created = account is None
    if account is None:
        account = ChannelAccount(provider=Provider.ZALO, external_id=oa_id)
    account.unit = unit
    account.app_id = app_id
    account.name = name or account.name or f"Zalo {unit.name}"
    account.oa_secret_key = oa_secret_key
    account.app_secret_key = app_secret_key
    account.is_active = True
    if access_token:
        account.access_token = access_token
        account.token_expires_at = timezone.now() + timedelta(seconds=expires_in)
        account.token_error = ""
    if refresh_token:
        account.refresh_token = refresh_token
    account.save()
    return account, created

"""OA access tokens: refreshed before expiry and on -216/-220, one refresher at a time.

Refresh tokens are single-use (zalo-oa.md §4), so two workers refreshing together would
lose the pair. A short lease taken with a conditional UPDATE makes one worker the
refresher without holding a database lock across the HTTP call.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from binhyen.channels.models import ChannelAccount
from binhyen.channels.zalo.client import ZaloApiError, ZaloClient, ZaloErrorKind

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)


def client() -> ZaloClient:
    return ZaloClient(
        openapi_url=settings.ZALO_OPENAPI_URL,
        oauth_url=settings.ZALO_OAUTH_URL,
        timeout=settings.ZALO_HTTP_TIMEOUT,
    )


def _needs_refresh(account: ChannelAccount) -> bool:
    if not account.access_token:
        return True
    if account.token_expires_at is None:
        return False
    left = (account.token_expires_at - timezone.now()).total_seconds()
    return left < settings.ZALO_TOKEN_REFRESH_MARGIN


def access_token(account: ChannelAccount, *, stale: str | None = None) -> str:
    """A usable access token for this page.

    `stale` is a token Zalo just rejected: refresh unless someone already replaced it.
    """
    account.refresh_from_db(fields=["access_token", "refresh_token", "token_expires_at"])
    if stale is None and not _needs_refresh(account):
        return str(account.access_token)
    if stale is not None and account.access_token and account.access_token != stale:
        return str(account.access_token)
    return refresh(account)


def refresh(account: ChannelAccount, *, wait: float = 10.0) -> str:
    """Refresh now (or wait for the worker that is refreshing) and return the new token."""
    now = timezone.now()
    won = ChannelAccount.objects.filter(
        Q(token_lease_until__isnull=True) | Q(token_lease_until__lt=now), pk=account.pk
    ).update(token_lease_until=now + LEASE)
    if not won:
        before = account.access_token
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(0.2)
            account.refresh_from_db(fields=["access_token", "token_lease_until"])
            if account.access_token != before or account.token_lease_until is None:
                return str(account.access_token)
        raise ZaloApiError(0, "token refresh in progress elsewhere", kind=ZaloErrorKind.RETRY)

    try:
        account.refresh_from_db()
        if not account.refresh_token:
            raise ZaloApiError(0, "no refresh token: reconnect the page", kind=ZaloErrorKind.CONFIG)
        try:
            pair = client().refresh_access_token(
                app_id=account.app_id,
                app_secret_key=account.app_secret_key,
                refresh_token=account.refresh_token,
            )
        except ZaloApiError as exc:
            msg = f"Làm mới token thất bại ({exc.code}): cần quản trị viên kết nối lại trang."
            ChannelAccount.objects.filter(pk=account.pk).update(token_error=msg[:300])
            log.error("zalo token refresh failed for page %s: %s", account.pk, exc.code)
            if exc.kind == ZaloErrorKind.RETRY:
                raise
            raise ZaloApiError(exc.code, exc.message, kind=ZaloErrorKind.CONFIG) from exc
        account.access_token = pair.access_token
        account.refresh_token = pair.refresh_token
        account.token_expires_at = timezone.now() + timedelta(seconds=pair.expires_in)
        account.token_error = ""
        account.save(
            update_fields=["access_token", "refresh_token", "token_expires_at", "token_error"]
        )
        log.info("zalo token refreshed for page %s", account.pk)
        return pair.access_token
    finally:
        ChannelAccount.objects.filter(pk=account.pk).update(token_lease_until=None)


def refresh_expiring() -> int:
    """Periodic: refresh every page whose token ends within the margin."""
    soon = timezone.now() + timedelta(seconds=settings.ZALO_TOKEN_REFRESH_MARGIN)
    n = 0
    for account in ChannelAccount.objects.filter(
        provider="zalo", is_active=True, token_expires_at__lt=soon
    ).exclude(refresh_token=""):
        try:
            refresh(account, wait=0)
            n += 1
        except ZaloApiError:
            continue
    return n

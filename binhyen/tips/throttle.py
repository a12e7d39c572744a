"""Throttling on short-lived counters that cannot identify anyone.

Counters live in the database (shared by every web process) as `scope:key:window` rows that
expire after their window. A client is never stored: its address is reduced to a bucket of
24 bits of a keyed hash that changes every window, so every bucket stands for ~256 IPv4
addresses (and countless IPv6 networks), a bucket cannot be followed from one window to
the next, and the rows are deleted once the window is over. IPv6 clients count by their
/64 network (one device changes addresses inside it).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from binhyen.tips.models import Counter

BUCKET_HEX = 6  # 24 bits


def _window(seconds: int) -> int:
    return int(timezone.now().timestamp()) // seconds


def client_address(request: HttpRequest) -> str:
    """The client's network as a string (never stored: only hashed into a bucket).

    `TIPS_CLIENT_IP_HEADER` names the request.META key set by a trusted reverse proxy
    (e.g. "HTTP_X_REAL_IP"); by default the connection's own address is used.
    """
    header = getattr(settings, "TIPS_CLIENT_IP_HEADER", "") or "REMOTE_ADDR"
    raw = str(request.META.get(header) or "").split(",")[0].strip()
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def client_bucket(request: HttpRequest, window_seconds: int) -> str:
    """A 24-bit bucket for this client in the current window of `window_seconds`."""
    value = f"{window_seconds}:{_window(window_seconds)}:{client_address(request)}"
    return salted_hmac("binhyen.tips.throttle", value).hexdigest()[:BUCKET_HEX]


def keyed(value: str) -> str:
    """A short keyed hash for counter keys derived from other values (text, codes)."""
    return salted_hmac("binhyen.tips.counter", value).hexdigest()[:16]


def _key(scope: str, key: str, window_seconds: int) -> str:
    return f"{scope}:{key}:{window_seconds}:{_window(window_seconds)}"


def hit(scope: str, key: str, window_seconds: int, *, amount: int = 1) -> int:
    """Count one event (or `amount` units); returns the count in the current window (this
    one included)."""
    name = _key(scope, key, window_seconds)
    now = timezone.now()
    with transaction.atomic():
        Counter.objects.filter(expires_at__lt=now).delete()
        if not Counter.objects.filter(key=name).update(count=F("count") + amount):
            try:
                with transaction.atomic():
                    Counter.objects.create(
                        key=name,
                        count=amount,
                        expires_at=now + timedelta(seconds=2 * window_seconds),
                    )
            except IntegrityError:
                Counter.objects.filter(key=name).update(count=F("count") + amount)
        return Counter.objects.filter(key=name).values_list("count", flat=True).first() or 1


def peek(scope: str, key: str, window_seconds: int) -> int:
    return (
        Counter.objects.filter(key=_key(scope, key, window_seconds))
        .values_list("count", flat=True)
        .first()
        or 0
    )


def purge_expired() -> int:
    deleted, _ = Counter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted

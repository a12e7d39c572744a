"""The rules of a staff session, shared by the pages (middleware) and the live server.

- idle: no request for SESSION_IDLE_SECONDS (30 min) ends it;
- absolute: SESSION_MAX_SECONDS (12 h) after the password step ends it, active or not;
- second factor: where REQUIRE_2FA is on, a session counts only once a TOTP code or a
  recovery code has been checked for it (django-otp keeps the device in the session);
- a password change or a disabled account ends it: Django's session hash and
  `is_active` check, on every request and every live re-check.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

SIGNED_IN_AT = "binhyen_signed_in_at"
SEEN_AT = "binhyen_seen_at"
# Rewrite the session for activity at most this often (not on every request).
SEEN_RESOLUTION_SECONDS = 60


def mark_signed_in(session: Any, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = int(now)
    session[SEEN_AT] = int(now)


def expired(session: Any, now: float | None = None) -> str:
    """ "" while the session is current, else why it ended: "idle" or "absolute"."""
    now = time.time() if now is None else now
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return "absolute"  # a session from before these rules, or tampered with
    if now - signed_in >= settings.SESSION_MAX_SECONDS:
        return "absolute"
    if now - seen >= settings.SESSION_IDLE_SECONDS:
        return "idle"
    return ""


def touch(session: Any, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if now - int(session.get(SEEN_AT) or 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = int(now)


def second_factor_done(session: Any, user: Any) -> bool:
    """True when 2FA is not required, or this session passed it with one of the user's
    own confirmed devices."""
    if not settings.REQUIRE_2FA:
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return bool(
        device is not None and device.user_id == user.pk and getattr(device, "confirmed", False)
    )

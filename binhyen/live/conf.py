"""The live channel's knobs.

Each is a Django setting when the settings module defines it, else an environment
variable, else a default that works for the embedded demo (docs/live.md lists them).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connections

from binhyen.lib.env import env_int, env_list, env_str


def _setting(name: str, env: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is not None:
        return str(value)
    return env_str(env, default) or default


def _int_setting(name: str, env: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(env, default)


def transport() -> str:
    """ "postgres" (LISTEN/NOTIFY) or "unix" (datagrams to local live servers)."""
    chosen = _setting("LIVE_TRANSPORT", "BINHYEN_LIVE_TRANSPORT", "auto")
    if chosen == "auto":
        vendor = connections["default"].vendor
        return "postgres" if vendor == "postgresql" else "unix"
    if chosen not in {"postgres", "unix"}:
        raise ValueError(f"LIVE_TRANSPORT must be auto, postgres or unix, not {chosen!r}")
    return chosen


def socket_dir() -> Path:
    return Path(
        _setting("LIVE_SOCKET_DIR", "BINHYEN_LIVE_SOCKET_DIR", str(Path(settings.VAR_DIR) / "live"))
    )


def stream_url() -> str:
    """Where the browser opens the stream: a path (same origin, the default, for a proxy
    that routes /live/ to the live server), ":PORT/path" (the page's host on another
    port, what `binhyen serve` sets) or an absolute URL."""
    return _setting("LIVE_URL", "BINHYEN_LIVE_URL", "/live/stream")


def pg_channel() -> str:
    return _setting("LIVE_PG_CHANNEL", "BINHYEN_LIVE_PG_CHANNEL", "binhyen_live")


def heartbeat_seconds() -> float:
    return float(_setting("LIVE_HEARTBEAT_SECONDS", "BINHYEN_LIVE_HEARTBEAT_SECONDS", "20"))


def replay_seconds() -> int:
    return _int_setting("LIVE_REPLAY_SECONDS", "BINHYEN_LIVE_REPLAY_SECONDS", 300)


def reauth_seconds() -> float:
    return float(_setting("LIVE_REAUTH_SECONDS", "BINHYEN_LIVE_REAUTH_SECONDS", "60"))


def max_streams() -> int:
    return _int_setting("LIVE_MAX_STREAMS", "BINHYEN_LIVE_MAX_STREAMS", 15_000)


def allowed_origins() -> list[str]:
    extra = getattr(settings, "LIVE_ALLOWED_ORIGINS", None)
    if extra is None:
        extra = env_list("BINHYEN_LIVE_ALLOWED_ORIGINS", [])
    return [*settings.CSRF_TRUSTED_ORIGINS, *extra]

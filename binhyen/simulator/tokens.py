"""Access/refresh tokens and OAuth codes as the fake Zalo issues and checks them.

Issued tokens are self-verifying (claims + HMAC keyed by the page's secrets), so a
restarted simulator still accepts what it issued before and a demo database holding
refreshed tokens keeps working. Only the single-use bookkeeping of refresh tokens and
codes lives in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable

from binhyen.simulator.model import SimPage

REFRESH_TTL = 90 * 24 * 3600  # refresh tokens live 3 months


class TokenBook:
    def __init__(self, pages: dict[str, SimPage], clock: Callable[[], float], ttl: int) -> None:
        self.pages = pages
        self.clock = clock
        self.ttl = ttl  # access token life in seconds; tests may shorten it
        self._lock = threading.Lock()
        now = clock()
        # The configured tokens of each page: token -> (oa_id, expires_at).
        self._initial_access = {p.access_token: (p.oa_id, now + ttl) for p in pages.values()}
        self._initial_refresh = {
            p.refresh_token: (p.oa_id, now + REFRESH_TTL) for p in pages.values()
        }
        self._used_refresh: set[str] = set()
        self._codes: dict[str, str] = {}

    def issue(self, oa_id: str) -> tuple[str, str, int]:
        """A new (access token, refresh token, expires_in seconds) for the page."""
        now = self.clock()
        access = self._mint("a", oa_id, now + self.ttl)
        refresh = self._mint("r", oa_id, now + REFRESH_TTL)
        return access, refresh, self.ttl

    def check_access(self, token: str | None) -> tuple[SimPage | None, int]:
        """(page, 0) for a live token, else (None, -216 unknown | -220 expired)."""
        entry = self._initial_access.get(token or "") or self._verify(token or "", "a")
        if entry is None:
            return None, -216
        oa_id, expires_at = entry
        if self.clock() >= expires_at:
            return None, -220
        return self.pages[oa_id], 0

    def use_refresh(self, token: str) -> str | None:
        """Consume a refresh token (single use): its OA id, or None if unknown/used/expired."""
        entry = self._initial_refresh.get(token) or self._verify(token, "r")
        with self._lock:
            if entry is None or token in self._used_refresh or self.clock() >= entry[1]:
                return None
            self._used_refresh.add(token)
            return entry[0]

    def issue_code(self, oa_id: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = oa_id
        return code

    def use_code(self, code: str) -> str | None:
        with self._lock:
            return self._codes.pop(code, None)

    def _mint(self, kind: str, oa_id: str, expires_at: float) -> str:
        claims = {"k": kind, "o": oa_id, "e": int(expires_at), "n": secrets.token_hex(8)}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"{body}.{self._mac(oa_id, body)}"

    def _mac(self, oa_id: str, body: str) -> str:
        page = self.pages[oa_id]
        key = f"zalo-sim:{page.app_secret_key}:{page.oa_secret_key}".encode()
        return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def _verify(self, token: str, kind: str) -> tuple[str, float] | None:
        body, _, mac = token.partition(".")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            oa_id, expires_at = str(claims["o"]), float(claims["e"])
        except (ValueError, KeyError, TypeError):
            return None
        if claims.get("k") != kind or oa_id not in self.pages:
            return None
        if not hmac.compare_digest(mac, self._mac(oa_id, body)):
            return None
        return oa_id, expires_at

"""A tiny blocking Server-Sent Events client over a raw socket (HTTP/1.0, so the body is
the plain event stream), for tests."""

from __future__ import annotations

import json
import socket
import time
from typing import Any


class SSEClient:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        session: str | None = None,
        path: str = "/live/stream",
        headers: dict[str, str] | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        lines = [f"GET {path} HTTP/1.0", f"Host: {host}:{port}", "Accept: text/event-stream"]
        if session:
            lines.append(f"Cookie: sessionid={session}")
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {
            k.strip().lower(): v.strip()
            for k, v in (h.split(":", 1) for h in header_lines if ":" in h)
        }
        self.closed = False

    def body(self) -> bytes:
        while not self.closed:
            self._fill(5.0)
        return self.buffer

    def _fill(self, timeout: float) -> bool:
        self.sock.settimeout(max(0.01, timeout))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def next_event(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """The next event (fields: event, id, data, parsed json), or None on timeout/close."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self._fill(left)
        raw, _, self.buffer = self.buffer.partition(b"\n\n")
        event: dict[str, Any] = {"event": "message", "id": None, "data": ""}
        data_lines = []
        for line in raw.decode().split("\n"):
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data_lines.append(value)
            elif field in {"event", "id", "retry"}:
                event[field] = value
        event["data"] = "\n".join(data_lines)
        if event["data"].startswith("{"):
            event["json"] = json.loads(event["data"])
        return event

    def messages(self, timeout: float = 1.0, *, until: int | None = None) -> list[dict[str, Any]]:
        """Data events ("message") received within `timeout` (or as soon as `until` came)."""
        out: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while until is None or len(out) < until:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ev = self.next_event(left)
            if ev is None:
                break
            if ev["event"] == "message":
                out.append(ev)
        return out

    def expect(self, event_type: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            ev = self.next_event(max(0.0, deadline - time.monotonic()))
            if ev is None:
                raise AssertionError(f"no {event_type!r} event within {timeout}s")
            if ev["event"] == event_type:
                return ev

    def close(self) -> None:
        self.closed = True
        self.sock.close()

"""A tiny local webhook receiver for tests: stands in for BinhYen's webhook endpoint.

It records every POST, checks the Zalo signature with the project's own
`signature_matches` against the pages it was given, and answers a configurable status.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from binhyen.channels.zalo.signature import signature_matches
from binhyen.simulator.events import oa_and_person
from binhyen.simulator.model import SimPage


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]  # lower-case names
    payload: Any
    signature_ok: bool

    @property
    def event_name(self) -> str:
        return str(self.payload.get("event_name", "")) if isinstance(self.payload, dict) else ""


class WebhookReceiver:
    def __init__(self, pages: Iterable[SimPage], host: str = "127.0.0.1") -> None:
        self.pages = {p.oa_id: p for p in pages}
        self.received: list[Received] = []
        self.status = 200  # what the receiver answers; tests may change it
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver._record(body, {k.lower(): v for k, v in self.headers.items()})
                answer = b'{"ok":true}'
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://{host}:{self._httpd.server_address[1]}/webhooks/zalo/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _record(self, body: bytes, headers: dict[str, str]) -> None:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        with self._cond:
            self.received.append(
                Received(body, headers, payload, self._verify(body, headers, payload))
            )
            self._cond.notify_all()

    def _verify(self, body: bytes, headers: dict[str, str], payload: Any) -> bool:
        if not isinstance(payload, dict):
            return False
        oa_id, _person = oa_and_person(payload)
        page = self.pages.get(oa_id or "")
        if page is None:
            return False
        return signature_matches(
            headers.get("x-zevent-signature"),
            app_id=str(payload.get("app_id", "")),
            raw_body=body,
            timestamp=str(payload.get("timestamp", "")),
            oa_secret_key=page.oa_secret_key,
        )

    def events(self, name: str) -> list[Received]:
        with self._cond:
            return [r for r in self.received if r.event_name == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 5.0) -> list[Received]:
        """Block until `count` events named `name` arrived (background deliveries)."""
        with self._cond:
            self._cond.wait_for(
                lambda: len([r for r in self.received if r.event_name == name]) >= count,
                timeout,
            )
            return [r for r in self.received if r.event_name == name]

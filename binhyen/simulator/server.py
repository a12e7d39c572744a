"""The simulator's HTTP side: fake Zalo API, media, the citizen phone page, /_sim controls.

One `ThreadingHTTPServer` serves everything on one port, so the real client works against
it with ``openapi_url = oauth_url = sim.base_url``.

Run standalone::

    python -m binhyen.simulator --port 8090 --pages pages.json \\
        --webhook-url http://127.0.0.1:8000/webhooks/zalo/
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import signal
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from binhyen.simulator import oa_api, phone
from binhyen.simulator.core import Simulator
from binhyen.simulator.delivery import Transport
from binhyen.simulator.model import SimPage, load_pages

log = logging.getLogger("binhyen.simulator")

MAX_BODY = 12 * 1024 * 1024
_MEDIA_PATH = re.compile(r"^/media/([A-Za-z0-9_-]+)\.([a-z0-9]{2,5})$")


class SimulatorServer(Simulator):
    def __init__(
        self,
        pages: list[SimPage],
        webhook_url: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        echo: bool = True,
        receipts: bool = True,
        token_ttl: int = 90000,
        auto_deliver: bool = True,
        transport: Transport | None = None,
        webhook_timeout: float = 10.0,
        state_path: str | None = None,
    ) -> None:
        super().__init__(
            pages,
            webhook_url,
            echo=echo,
            receipts=receipts,
            token_ttl=token_ttl,
            auto_deliver=auto_deliver,
            transport=transport,
            webhook_timeout=webhook_timeout,
            state_path=state_path,
        )
        self.host = host
        self.port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SimulatorServer:
        handler = type("BoundHandler", (_Handler,), {"sim": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self.webhook.start()
        self._thread = threading.Thread(
            # A short poll interval keeps stop() (and so each test's teardown) quick.
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="zalo-sim-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.webhook.stop()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    sim: SimulatorServer
    server_version = "ZaloSimulator/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        # Keep the test output clean; paths only (queries may carry user ids).
        log.debug("sim %s %s", self.command, urlsplit(self.path).path)

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._json(413, {"error": "body too large"})
            return
        body = self.rfile.read(length) if length else b""
        try:
            if path == "/" and method == "GET":
                self._send(200, phone.render_page(self.sim, query), "text/html; charset=utf-8")
            elif path.startswith("/_sim/"):
                self._control(method, path, query, body)
            elif not self._injected(path):
                self._zalo(method, path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout during an injected delay)
        except Exception:
            log.exception("simulator error on %s", path)
            self._json(500, {"error": -1, "message": "simulator error"})

    def _injected(self, path: str) -> bool:
        """Apply an injected fault; True when it already answered."""
        injection = self.sim.take_injection(path)
        if injection is None:
            return False
        if injection.delay:
            time.sleep(injection.delay)
            return False
        if injection.status:
            self._json(injection.status, {"error": -1, "message": "injected HTTP failure"})
            return True
        status, answer = oa_api.error(injection.error or -1)
        self._json(status, answer)
        return True

    def _zalo(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        media = _MEDIA_PATH.match(path)
        if media and method == "GET":
            stored = self.sim.get_media(media.group(1))
            if stored is None:
                self._json(404, {"error": "not found"})
            else:
                self._send(200, stored[0], stored[1])
            return
        if path == "/v4/oa/permission" and method == "GET":
            self._permission(query)
            return
        req = oa_api.ApiRequest(method, path, query, self.headers, body)
        answer = oa_api.handle(self.sim, req)
        if answer is None:
            self._json(404, {"error": -1, "message": "no such API in the simulator"})
        else:
            self._json(
                *answer, extra_headers={"X-RateLimit-Limit": "4000", "X-RateLimit-Remain": "3999"}
            )

    def _permission(self, query: dict[str, list[str]]) -> None:
        """OA admin consent: redirect back with `code` and `oa_id`, like Zalo does."""
        app_id = query.get("app_id", [""])[0]
        redirect_uri = query.get("redirect_uri", [""])[0]
        pages = [p for p in self.sim.pages.values() if p.app_id == app_id]
        wanted = query.get("oa_id", [""])[0]
        chosen = next(
            (p for p in pages if p.oa_id == wanted), pages[0] if len(pages) == 1 else None
        )
        if not pages or not redirect_uri.startswith(("http://", "https://")):
            self._json(400, {"error": -14003, "error_name": "Invalid app_id or redirect_uri"})
            return
        if chosen is None:
            links = "".join(
                f'<li><a href="{html.escape(self.path)}&amp;oa_id={html.escape(p.oa_id)}">'
                f"{html.escape(p.name)}</a></li>"
                for p in pages
            )
            page = f"<!doctype html><meta charset=utf-8><h1>Chọn trang Zalo</h1><ul>{links}</ul>"
            self._send(200, page.encode(), "text/html; charset=utf-8")
            return
        params = {"code": self.sim.tokens.issue_code(chosen.oa_id), "oa_id": chosen.oa_id}
        if query.get("state"):
            params["state"] = query["state"][0]
        separator = "&" if "?" in redirect_uri else "?"
        self.send_response(302)
        self.send_header("Location", redirect_uri + separator + urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _control(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        sim = self.sim
        if method == "GET" and path.startswith("/_sim/static/"):
            found = phone.asset(path.rsplit("/", 1)[-1])
            if found is None:
                self._json(404, {"error": "not found"})
            else:
                self._send(200, *found)
            return
        if method == "GET" and path == "/_sim/api/conversation":
            self._json(200, phone.conversation_json(sim, query))
            return
        if method == "GET" and path == "/_sim/state":
            self._json(200, sim.snapshot())
            return
        if method != "POST":
            self._json(405, {"error": "method not allowed"})
            return
        try:
            data = json.loads(body or b"null")
        except ValueError:
            self._json(400, {"error": "invalid JSON"})
            return
        if path == "/_sim/api/send":
            self._json(*phone.send(sim, data))
        elif path == "/_sim/api/seen":
            self._json(*phone.seen(sim, data))
        elif path == "/_sim/inject":
            self._json(*_inject(sim, data))
        elif path == "/_sim/advance" and isinstance(data, dict):
            sim.advance(float(data.get("seconds", 0)))
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "not found"})

    def _json(self, status: int, data: Any, extra_headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self._send(status, body, "application/json; charset=utf-8", extra_headers)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _inject(sim: Simulator, data: Any) -> tuple[int, dict[str, Any]]:
    """POST /_sim/inject {"path": "/message/cs", "error": -32 | "status": 503 | "delay": 3}."""
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        return 400, {"error": "path is required"}
    times = int(data.get("times", 1))
    try:
        if data.get("clear"):
            sim.clear_injections()
        elif "error" in data:
            sim.inject(data["path"], int(data["error"]), times)
        elif "status" in data:
            sim.inject_http(data["path"], int(data["status"]), times)
        elif "delay" in data:
            sim.inject_delay(data["path"], float(data["delay"]), times)
        else:
            return 400, {"error": "one of error, status, delay is required"}
    except (TypeError, ValueError) as exc:
        return 400, {"error": str(exc)}
    return 200, {"ok": True}


def default_pages_path() -> str:
    return str(resources.files("binhyen.simulator").joinpath("demo_pages.json"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m binhyen.simulator", description="Local fake of Zalo OA for demos and tests."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--pages", default=default_pages_path(), help="JSON list of pages")
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/webhooks/zalo/")
    parser.add_argument("--token-ttl", type=int, default=90000, help="access token life (s)")
    parser.add_argument("--no-echo", action="store_true", help="do not POST oa_send_* echoes")
    parser.add_argument("--no-receipts", action="store_true", help="no received/seen receipts")
    parser.add_argument(
        "--state", default=None, help="JSON file keeping the phones' history across restarts"
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sim = SimulatorServer(
        load_pages(args.pages),
        args.webhook_url,
        args.host,
        args.port,
        echo=not args.no_echo,
        receipts=not args.no_receipts,
        token_ttl=args.token_ttl,
        state_path=args.state,
    )
    # Stop on Ctrl-C and on SIGTERM even when started with SIGINT ignored (a background job
    # of a non-interactive shell inherits SIG_IGN, and Python then never raises
    # KeyboardInterrupt), and wherever the signal lands — also while starting: a client may
    # interrupt as soon as the port answers, before the wait below has begun.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        sim.start()
        log.info(
            "Zalo simulator on %s (phone page: %s/), webhook %s",
            sim.base_url,
            sim.base_url,
            args.webhook_url,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The live server: a plain ASGI app (no Django request cycle) for Server-Sent Events.

    GET /live/stream    text/event-stream for the signed-in console user
    GET /live/healthz   200 {"ok": true, ...} while the transport listener is up

Run under uvicorn by `binhyen serve` (next to gunicorn) or `binhyen live` (alone).
Django is used only to check the session cookie and read memberships, in a thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import connections
from django.http.cookie import parse_cookie

from binhyen.live import conf
from binhyen.live.auth import audience_in_worker_thread
from binhyen.live.hub import Hub, Stream
from binhyen.live.transports import Listener

log = logging.getLogger("binhyen.live")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

RETRY_MS = 3000
SEND_TIMEOUT = 30.0  # a browser that takes no bytes for this long is cut off


class LiveApp:
    def __init__(self) -> None:
        self.hub = Hub(replay_seconds=conf.replay_seconds())
        self.heartbeat = conf.heartbeat_seconds()
        self.reauth = conf.reauth_seconds()
        self.max_streams = conf.max_streams()
        self.listener: Listener | None = None
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="live-auth")
        self.started = asyncio.Event()
        self._housekeeper: asyncio.Task[None] | None = None

    # --- ASGI entry ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            path = scope["path"]
            if path == "/live/stream":
                if scope["method"] == "OPTIONS":
                    await self._preflight(scope, send)
                elif scope["method"] == "GET":
                    await self._stream(scope, receive, send)
                else:
                    await _plain(send, 405, b"method not allowed")
            elif path == "/live/healthz":
                await self._health(send)
            else:
                await _plain(send, 404, b"not found")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("live server failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        self.listener = Listener(self.hub.publish, self.hub.gap)
        await self.listener.start()
        self._housekeeper = asyncio.create_task(self._housekeeping(), name="live-housekeeping")
        self.started.set()
        log.info("live server ready (%s)", self.listener.describe())

    async def shutdown(self) -> None:
        if self._housekeeper is not None:
            self._housekeeper.cancel()
        for stream in list(self.hub.streams):
            stream.closed = True
            stream.wake.set()
        if self.listener is not None:
            await self.listener.stop()
        await asyncio.get_running_loop().run_in_executor(None, self._close_pool)

    def _close_pool(self) -> None:
        # Each pool thread holds its own database connection: close them all, one job per
        # thread (the barrier keeps a thread from taking two), then stop the pool.
        size = self.pool._max_workers
        barrier = threading.Barrier(size, timeout=2)

        def close() -> None:
            connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

        for job in [self.pool.submit(close) for _ in range(size)]:
            with contextlib.suppress(Exception):
                job.result(timeout=5)
        self.pool.shutdown(wait=True, cancel_futures=True)

    # --- endpoints -------------------------------------------------------------------------

    async def _health(self, send: Send) -> None:
        body = json.dumps(
            {
                "ok": self.started.is_set(),
                "streams": len(self.hub.streams),
                "published": self.hub.published,
                **(self.listener.describe() if self.listener else {}),
            }
        ).encode()
        await _plain(send, 200 if self.started.is_set() else 503, body, "application/json")

    async def _preflight(self, scope: Scope, send: Send) -> None:
        cors = self._cors_headers(scope)
        if cors is None:
            await _plain(send, 403, b"origin not allowed")
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    *cors,
                    (b"access-control-allow-methods", b"GET"),
                    (b"access-control-allow-headers", b"last-event-id, cache-control"),
                    (b"access-control-max-age", b"600"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        cors = self._cors_headers(scope)
        if cors is None:
            await _plain(send, 403, b"origin not allowed")
            return
        if len(self.hub.streams) >= self.max_streams:
            await _plain(send, 503, b"too many live streams", extra=cors)
            return
        session_key = _cookie(scope, settings.SESSION_COOKIE_NAME)
        loop = asyncio.get_running_loop()
        audience = await loop.run_in_executor(self.pool, audience_in_worker_thread, session_key)
        if audience is None:
            await _plain(send, 401, b"sign in first", extra=cors)
            return
        last_id = _header(scope, b"last-event-id") or _query(scope, "last_event_id")

        stream, gap = self.hub.attach(audience, last_id)
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-cache, no-transform"),
                        (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
                        *cors,
                    ],
                }
            )
            hello = json.dumps({"heartbeat": self.heartbeat, "gap": gap}).encode()
            first = b"retry: %d\nevent: hello\ndata: %s\n\n" % (RETRY_MS, hello)
            if gap:
                first += b"event: resync\ndata: {}\n\n"
            await send({"type": "http.response.body", "body": first, "more_body": True})
            await self._pump(stream, session_key, receive, send)
        finally:
            self.hub.detach(stream)

    async def _pump(
        self, stream: Stream, session_key: str | None, receive: Receive, send: Send
    ) -> None:
        # No timer per stream: heartbeats and the stuck-send watchdog are one
        # housekeeping pass over all streams (_housekeeping), which keeps the fan-out of
        # one event to N streams at N wake-ups and N writes.
        async def watch_disconnect() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    stream.closed = True
                    stream.wake.set()
                    return

        watcher = asyncio.create_task(watch_disconnect())
        stream.task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        next_auth = time.monotonic() + self.reauth * random.uniform(0.8, 1.2)
        try:
            while True:
                if not stream.pending and not stream.closed and not stream.dropped:
                    stream.wake.clear()
                    await stream.wake.wait()
                if stream.closed or stream.dropped:
                    # Dropped = too far behind: end the response; the browser reconnects
                    # with Last-Event-ID and catches up from the ring buffer.
                    return
                stream.sending_since = time.monotonic()
                await send({"type": "http.response.body", "body": stream.take(), "more_body": True})
                stream.last_write = time.monotonic()
                stream.sending_since = 0.0
                if stream.last_write >= next_auth:
                    next_auth = stream.last_write + self.reauth * random.uniform(0.8, 1.2)
                    fresh = await loop.run_in_executor(
                        self.pool, audience_in_worker_thread, session_key
                    )
                    if fresh is None:
                        await send(
                            {
                                "type": "http.response.body",
                                "body": b"event: logout\ndata: {}\n\n",
                                "more_body": True,
                            }
                        )
                        return
                    stream.audience = fresh
        except asyncio.CancelledError:
            if stream.killed:
                return  # cut off by the watchdog: uvicorn closes the connection
            raise
        except OSError:
            return
        finally:
            watcher.cancel()
            if not stream.killed:
                with contextlib.suppress(Exception):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _housekeeping(self) -> None:
        """Heartbeats for idle streams; cut off streams whose browser takes no bytes."""
        while True:
            await asyncio.sleep(min(1.0, self.heartbeat / 2))
            now = time.monotonic()
            frame = b"event: hb\ndata: %d\n\n" % int(time.time())
            for stream in list(self.hub.streams):
                if stream.sending_since and now - stream.sending_since > SEND_TIMEOUT:
                    stream.killed = True
                    if stream.task is not None:
                        stream.task.cancel()
                elif not stream.pending and now - stream.last_write >= self.heartbeat:
                    stream.last_write = now
                    stream.push(frame)

    def _cors_headers(self, scope: Scope) -> list[tuple[bytes, bytes]] | None:
        """[] for same-origin requests, the CORS grant for an allowed origin, else None."""
        origin = _header(scope, b"origin")
        if not origin:
            return []
        if origin_allowed(origin, _header(scope, b"host") or "", conf.allowed_origins()):
            return [
                (b"access-control-allow-origin", origin.encode()),
                (b"access-control-allow-credentials", b"true"),
                (b"vary", b"Origin"),
            ]
        return None


def origin_allowed(origin: str, host: str, trusted: list[str]) -> bool:
    """Same host name on another port (how `binhyen serve` runs it), or a trusted origin.

    The session cookie is scoped to the host name, not the port, so a page on
    http://h:8000 and a stream on http://h:8001 already share it; any other site is
    refused here, and its requests would not carry the SameSite=Lax cookie anyway.
    """
    if origin in trusted:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    try:
        own = urlsplit("//" + host).hostname
    except ValueError:
        return False
    return own is not None and parts.hostname == own


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _query(scope: Scope, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    return parse_cookie(raw).get(name) if raw else None


async def _plain(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/plain",
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"cache-control", b"no-store"),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

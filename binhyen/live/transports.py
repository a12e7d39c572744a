"""How a published event travels from the publishing process to every live server.

- PostgreSQL: `pg_notify` on the publisher's own connection; each live server LISTENs on
  a connection of its own. Works across processes and machines; nothing to run.
- SQLite (one machine): each live server process binds a UNIX datagram socket in
  LIVE_SOCKET_DIR (mode 0700); the publisher sends one signed datagram to each socket
  there. No port, no HTTP, no blocking on a slow server beyond a short send timeout.

The sending half is synchronous (web requests, the worker, commands); the receiving
half runs in the live server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connections

from binhyen.live import conf
from binhyen.live.events import Event, sign, signing_key, verify

log = logging.getLogger("binhyen.live")

SEND_TIMEOUT = 0.25  # seconds a publisher may wait on a full server queue


# --- sending ------------------------------------------------------------------------------


def send(event: Event, *, using: str = "default") -> int:
    """Hand an event to every live server; returns how many were reached (unix) or 1."""
    wire = event.to_wire()
    if conf.transport() == "postgres":
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [conf.pg_channel(), wire.decode()])
        return 1
    return _unix_send(sign(wire), conf.socket_dir())


def send_many(batch: list[Event], *, using: str = "default") -> int:
    """Several events at once: on PostgreSQL one statement (in order) per 50 events."""
    if conf.transport() != "postgres":
        return sum(send(event, using=using) for event in batch)
    channel = conf.pg_channel()
    for i in range(0, len(batch), 50):
        chunk = batch[i : i + 50]
        params: list[str] = []
        for event in chunk:
            params += [channel, event.to_wire().decode()]
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_notify(%s, %s)"] * len(chunk)), params)
    return len(batch)


_sock_lock = threading.Lock()
_sock: tuple[int, socket.socket] | None = None


def _sender_socket() -> socket.socket:
    global _sock
    with _sock_lock:
        # One socket per process; a forked child (gunicorn worker) makes its own.
        if _sock is None or _sock[0] != os.getpid():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.settimeout(SEND_TIMEOUT)
            _sock = (os.getpid(), s)
        return _sock[1]


def _unix_send(datagram: bytes, directory: Path) -> int:
    try:
        entries = [e.path for e in os.scandir(directory) if e.name.endswith(".sock")]
    except FileNotFoundError:
        log.debug("no live server socket directory %s", directory)
        return 0
    sock = _sender_socket()
    reached = 0
    for path in entries:
        try:
            sock.sendto(datagram, path)
            reached += 1
        except ConnectionRefusedError:
            # Nobody bound: a live server that died without cleaning up.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        except FileNotFoundError:
            pass
        except TimeoutError:
            log.warning("live server %s did not take an event within %.2fs", path, SEND_TIMEOUT)
        except OSError as exc:
            log.warning("live event not sent to %s: %s", path, exc)
    return reached


# --- receiving ----------------------------------------------------------------------------

Deliver = Callable[[Event], object]


class Listener:
    """Receives events for one live server process and hands them to `deliver`.

    `on_gap` is called when events may have been missed (the PostgreSQL connection was
    lost), so that browsers can be told to refresh what they show.
    """

    def __init__(self, deliver: Deliver, on_gap: Callable[[], None]) -> None:
        self.deliver = deliver
        self.on_gap = on_gap
        self.kind = conf.transport()
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._path: Path | None = None

    def describe(self) -> dict[str, Any]:
        return {"transport": self.kind, "socket": str(self._path) if self._path else None}

    async def start(self) -> None:
        if self.kind == "postgres":
            self._task = asyncio.create_task(self._pg_loop(), name="live-pg-listen")
            try:
                await asyncio.wait_for(self.ready.wait(), timeout=15)
            except TimeoutError:
                await self.stop()
                raise RuntimeError("live: cannot LISTEN on PostgreSQL (see the log)") from None
        else:
            await self._unix_start()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._transport is not None:
            self._transport.close()
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()

    # SQLite / one machine: a UNIX datagram socket per live server process.
    async def _unix_start(self) -> None:
        directory = conf.socket_dir()
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            directory.chmod(0o700)
        self._path = directory / f"live-{os.getpid()}-{secrets.token_hex(3)}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        old_umask = os.umask(0o177)
        try:
            sock.bind(str(self._path))
        finally:
            os.umask(old_umask)
        sock.setblocking(False)
        key = signing_key()
        listener = self

        class Protocol(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                body = verify(data, key)
                if body is None:
                    log.warning("live: dropped a datagram with a bad signature")
                    return
                try:
                    event = Event.from_wire(body)
                except (ValueError, KeyError, TypeError):
                    log.warning("live: dropped a malformed event")
                    return
                listener.deliver(event)

            def error_received(self, exc: Exception) -> None:
                log.warning("live socket error: %s", exc)

        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(Protocol, sock=sock)
        self.ready.set()

    # PostgreSQL: LISTEN on a dedicated connection, reconnecting with backoff.
    async def _pg_loop(self) -> None:
        # deferred: only the PostgreSQL transport needs the driver
        import psycopg

        params = pg_conninfo()
        channel = conf.pg_channel()
        delay = 0.5
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f'LISTEN "{channel}"')
                    if not first:
                        self.on_gap()  # events sent while we were away are lost
                    first = False
                    delay = 0.5
                    self.ready.set()
                    async for note in conn.notifies():
                        try:
                            event = Event.from_wire(note.payload)
                        except (ValueError, KeyError, TypeError):
                            log.warning("live: dropped a malformed notification")
                            continue
                        self.deliver(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live: PostgreSQL listener lost (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def pg_conninfo(using: str = "default") -> dict[str, Any]:
    """Connection parameters for a LISTEN connection to the same database as Django's."""
    s = connections[using].settings_dict
    params: dict[str, Any] = {"dbname": s["NAME"]}
    for key, name in (
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("HOST", "host"),
        ("PORT", "port"),
    ):
        if s.get(key):
            params[name] = str(s[key])
    for key, value in (s.get("OPTIONS") or {}).items():
        if isinstance(value, str | int) and key not in {
            "isolation_level",
            "server_side_binding",
            "assume_role",
            "pool",
            "prepare_threshold",
        }:
            params[key] = value
    params.setdefault("application_name", "binhyen-live")
    params.setdefault("connect_timeout", 10)
    return params

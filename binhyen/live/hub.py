"""One live server process's fan-out: who is connected, what they may see, what they missed.

Everything here runs on the event loop's thread; nothing awaits, so publishing to every
stream is one uninterrupted pass. Each stream owns a bounded queue: a slow browser only
fills its own queue, and one that falls too far behind is disconnected (it reconnects
and catches up from the ring buffer) instead of holding memory or delaying others.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from binhyen.live.events import Event, id_time

QUEUE_LIMIT = 256  # frames waiting for one stream before it is cut off
REPLAY_SLACK_MS = 2000  # publishers' clocks and transport delays differ a little


@dataclass(frozen=True, slots=True)
class Audience:
    """What one signed-in user may receive: memberships as (unit path, role)."""

    user_id: int
    superuser: bool
    memberships: tuple[tuple[str, str], ...]

    def sees(self, unit: str, roles: frozenset[str] | None) -> bool:
        if roles is None:
            return self.superuser or any(unit.startswith(p) for p, _ in self.memberships)
        # A role filter targets people on duty there; it applies to superusers too.
        return any(unit.startswith(p) and r in roles for p, r in self.memberships)


class Stream:
    """One connected browser tab."""

    __slots__ = (
        "audience",
        "closed",
        "dropped",
        "killed",
        "last_write",
        "pending",
        "sending_since",
        "task",
        "wake",
    )

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.pending: deque[bytes] = deque()
        self.wake = asyncio.Event()
        self.dropped = False  # fell too far behind: the writer ends the response
        self.closed = False
        self.killed = False  # a write hung too long: the writer task was cancelled
        self.task: asyncio.Task[object] | None = None
        self.last_write = time.monotonic()
        self.sending_since = 0.0

    def push(self, frame: bytes) -> None:
        if self.dropped or self.closed:
            return
        if len(self.pending) >= QUEUE_LIMIT:
            self.dropped = True
            self.pending.clear()
        else:
            self.pending.append(frame)
        self.wake.set()

    def take(self) -> bytes:
        chunk = b"".join(self.pending)
        self.pending.clear()
        return chunk


class Hub:
    def __init__(self, *, replay_seconds: int = 300, replay_max: int = 5000) -> None:
        self.streams: set[Stream] = set()
        self.replay_ms = replay_seconds * 1000
        self.ring: deque[Event] = deque(maxlen=replay_max)
        self._seen: OrderedDict[str, None] = OrderedDict()
        # Events before this moment may be missing from the ring (the process started,
        # old events were evicted, or the transport lost its connection).
        self.complete_since = int(time.time() * 1000)
        self.published = 0

    # --- streams ---------------------------------------------------------------------------

    def attach(self, audience: Audience, last_event_id: str | None) -> tuple[Stream, bool]:
        """Register a stream and queue what it missed; True when it may have missed more
        than the ring holds (the browser should refresh its lists)."""
        stream = Stream(audience)
        gap = False
        if last_event_id:
            since = id_time(last_event_id)
            if since is None or since < self.complete_since:
                gap = True
            if since is not None:
                for ev in self._replay(since - REPLAY_SLACK_MS, last_event_id):
                    if audience.sees(ev.unit, ev.roles):
                        stream.pending.append(ev.frame)
        self.streams.add(stream)
        return stream, gap

    def detach(self, stream: Stream) -> None:
        stream.closed = True
        self.streams.discard(stream)

    def _replay(self, since_ms: int, exclude_id: str) -> Iterable[Event]:
        self._trim()
        return [ev for ev in self.ring if ev.ts >= since_ms and ev.id != exclude_id]

    # --- events ----------------------------------------------------------------------------

    def publish(self, event: Event) -> int:
        """Deliver to every stream allowed to see it; returns how many got it."""
        if event.id in self._seen:
            return 0
        self._seen[event.id] = None
        if len(self._seen) > 2 * (self.ring.maxlen or 1000):
            self._seen.popitem(last=False)
        if not event.frame:
            event = event.with_frame()
        self._trim()
        if self.ring.maxlen and len(self.ring) == self.ring.maxlen:
            self.complete_since = max(self.complete_since, self.ring[0].ts + 1)
        self.ring.append(event)
        self.published += 1
        frame, unit, roles = event.frame, event.unit, event.roles
        n = 0
        for stream in self.streams:
            if stream.audience.sees(unit, roles):
                stream.push(frame)
                n += 1
        return n

    def broadcast(self, frame: bytes) -> None:
        """A control frame (resync, shutdown notice) to every stream."""
        for stream in self.streams:
            stream.push(frame)

    def gap(self) -> None:
        self.complete_since = int(time.time() * 1000)
        self.broadcast(b"event: resync\ndata: {}\n\n")

    def _trim(self) -> None:
        horizon = int(time.time() * 1000) - self.replay_ms
        while self.ring and self.ring[0].ts < horizon:
            self.complete_since = max(self.complete_since, self.ring.popleft().ts + 1)

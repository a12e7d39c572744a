"""The fan-out core: back-pressure and the replay buffer, without sockets."""

from __future__ import annotations

import time

from binhyen.live import hub as hub_module
from binhyen.live.events import Event, stamp
from binhyen.live.hub import Audience, Hub

DUTY = Audience(user_id=1, superuser=False, memberships=(("/66/", "duty"),))


def event(code: str, unit: str = "/66/24133/") -> Event:
    return stamp(unit, "case.new", {"code": code}, None)


def test_slow_stream_is_cut_off_and_others_still_get_every_event():
    hub = Hub()
    slow, _ = hub.attach(DUTY, None)
    fast, _ = hub.attach(DUTY, None)
    for i in range(hub_module.QUEUE_LIMIT + 5):
        hub.publish(event(f"TB-{i}"))
        fast.take()  # a healthy browser drains its queue as events come
    assert slow.dropped and not slow.pending
    assert not fast.dropped
    hub.publish(event("TB-last"))
    assert b"TB-last" in fast.take()


def test_cut_off_stream_catches_up_from_the_ring_when_it_reconnects():
    hub = Hub()
    events = [event(f"TB-{i}") for i in range(hub_module.QUEUE_LIMIT + 5)]
    for ev in events:
        hub.publish(ev)
    again, gap = hub.attach(DUTY, events[9].id)
    assert not gap
    replayed = b"".join(again.pending)
    assert b'"TB-10"' in replayed and events[-1].id.encode() in replayed
    assert events[9].id.encode() not in replayed


def test_the_same_event_arriving_twice_is_delivered_once():
    hub = Hub()
    stream, _ = hub.attach(DUTY, None)
    ev = event("TB-1")
    assert hub.publish(ev) == 1
    assert hub.publish(Event.from_wire(ev.to_wire())) == 0
    assert len(stream.pending) == 1


def test_events_older_than_the_replay_window_are_forgotten_and_reported_as_a_gap():
    hub = Hub(replay_seconds=60)
    old = Event.from_wire(stamp("/66/24133/", "case.new", {}, None).to_wire())
    old = Event(old.id, old.ts - 120_000, old.unit, old.kind, old.payload).with_frame()
    hub.complete_since = old.ts - 1
    hub.publish(old)
    hub.publish(event("TB-new"))
    stream, gap = hub.attach(DUTY, f"{old.ts - 1000:013d}-00000000")
    assert gap
    assert b"TB-new" in b"".join(stream.pending)
    assert all(ev.ts > time.time() * 1000 - 60_000 for ev in hub.ring)


def test_lost_transport_connection_tells_every_stream_to_resync():
    hub = Hub()
    stream, _ = hub.attach(DUTY, None)
    hub.gap()
    assert stream.take() == b"event: resync\ndata: {}\n\n"

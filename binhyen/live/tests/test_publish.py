"""publish(): validated at the call, sent only when the caller's transaction commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from binhyen import live


def critical(code: str = "TB-1", **extra) -> dict:
    return {
        "code": code,
        "urgency": "critical",
        "summary": "Đánh nhau có hung khí",
        "url": "/tin-bao/1/",
        **extra,
    }


def test_event_leaves_only_when_the_transaction_commits(world, receiver):
    with transaction.atomic():
        live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical())
        assert receiver.events(timeout=0.2) == []
    [event] = receiver.events(timeout=2, until=1)
    assert (event.unit, event.kind, event.payload["code"]) == (world.bmt.path, "case.new", "TB-1")
    assert event.roles is None


def test_rolled_back_transaction_sends_nothing(world, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical())
        raise RuntimeError("the write failed")
    assert receiver.events(timeout=0.3) == []


def test_inner_savepoint_rolled_back_drops_only_its_events(world, receiver):
    with transaction.atomic():
        live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-1"))
        try:
            with transaction.atomic():
                live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-2"))
                raise RuntimeError
        except RuntimeError:
            pass
    got = receiver.events(timeout=0.5, until=2)
    assert [e.payload["code"] for e in got] == ["TB-1"]


def test_outside_a_transaction_the_event_leaves_at_once(world, receiver):
    live.publish(
        unit_path=world.tanan.path, kind="case.escalated", payload=critical(), roles={"duty"}
    )
    [event] = receiver.events(timeout=2, until=1)
    assert event.roles == frozenset({"duty"})


def test_events_get_time_ordered_unique_ids(world, receiver):
    for i in range(3):
        live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical(f"TB-{i}"))
    got = receiver.events(timeout=2, until=3)
    assert [e.payload["code"] for e in got] == ["TB-0", "TB-1", "TB-2"]
    assert len({e.id for e in got}) == 3
    assert [e.ts for e in got] == sorted(e.ts for e in got)


@pytest.mark.parametrize("key", ["phone", "zalo_user_id", "contact", "name", "address"])
def test_payload_carrying_identity_data_is_refused(key):
    with pytest.raises(ValueError, match="identity"):
        live.publish(unit_path="/66/", kind="case.new", payload={"code": "TB-1", key: "x"})


def test_identity_keys_are_refused_inside_nested_payloads_too():
    with pytest.raises(ValueError, match="identity"):
        live.publish(unit_path="/66/", kind="case.new", payload={"case": {"phone": "0905"}})


def test_unit_path_must_be_a_units_path():
    with pytest.raises(ValueError, match="unit_path"):
        live.publish(unit_path="24133", kind="case.new", payload={})


def test_long_text_is_cut_and_oversized_payload_refused(world, receiver):
    live.publish(unit_path=world.bmt.path, kind="case.new", payload={"summary": "á" * 5000})
    [event] = receiver.events(timeout=2, until=1)
    assert len(event.payload["summary"]) == 400
    with pytest.raises(ValueError, match="limit"):
        live.publish(unit_path="/66/", kind="x", payload={f"k{i}": "x" * 300 for i in range(40)})

"""The webhook under mutated real Zalo events (the fixtures): wrong types, missing fields,
huge strings, invalid UTF-8, deep nesting, truncated bodies, wrong signatures.

Properties: never a 5xx; whatever is answered 200 is stored at most once; and the valid
event posted between the hostile ones is always answered 200 and stored exactly once
(twice posted, once kept), then processed by the worker without failing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from binhyen.channels.models import InboundEvent
from binhyen.channels.zalo.schemas import Event
from binhyen.channels.zalo.webhook import event_key
from binhyen.core.worker import drain
from binhyen.fuzzing import Tally, hypothesis_settings
from binhyen.testing import FIXTURES, encode, post_zalo, secret_of, zalo_event

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))
ACCEPTED = {200, 400, 401, 403, 413}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


def _drop(root: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return {}
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return root


def _nest(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def hostile(draw: st.DrawFn, payload: dict[str, Any]) -> tuple[bytes, str]:
    """(body, signature mode) for a mutation of `payload`."""
    doc: Any = copy.deepcopy(payload)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["type", "drop", "huge", "nest", "keep"]))
        if kind == "type":
            doc = _set(doc, path, draw(ODD_VALUES))
        elif kind == "drop":
            doc = _drop(doc, path)
        elif kind == "huge":
            doc = _set(doc, path, "Đ" * draw(st.sampled_from([5_000, 60_000, 200_000])))
        elif kind == "nest":
            doc = _set(doc, path, _nest(draw(st.sampled_from([20, 40, 900]))))
        if not isinstance(doc, dict | list):
            break
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    raw_kind = draw(st.sampled_from(["json", "json", "bad-utf8", "truncated", "brackets"]))
    if raw_kind == "bad-utf8":
        at = draw(st.integers(min_value=0, max_value=len(body)))
        body = (
            body[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + body[at:]
        )
    elif raw_kind == "truncated":
        body = body[: draw(st.integers(min_value=0, max_value=max(0, len(body) - 1)))]
    elif raw_kind == "brackets":
        body = b"[" * 120_000
    signature = draw(st.sampled_from(["valid", "valid", "forged", "missing", "other-page"]))
    return body, signature


def _post_raw(client: Client, body: bytes, payload: dict[str, Any], signature: str, world) -> Any:
    from binhyen.channels.zalo.signature import signature_header

    headers: dict[str, str] = {}
    if signature != "missing":
        secret = {
            "valid": secret_of(world.bmt_page),
            "other-page": secret_of(world.tanan_page),
            "forged": "not-the-secret",
        }[signature]
        headers["HTTP_X_ZEVENT_SIGNATURE"] = signature_header(
            app_id=str(payload.get("app_id", "")),
            raw_body=body,
            timestamp=str(payload.get("timestamp", "")),
            oa_secret_key=secret,
        )
    return client.generic(
        "POST", "/webhooks/zalo/", body, content_type="application/json", **headers
    )


def test_webhook_never_answers_5xx_and_never_loses_a_valid_event(world):
    client = Client(raise_request_exception=False)
    hostile_tally = Tally("webhook fuzzer: mutated Zalo fixtures")
    valid_keys: list[str] = []

    @given(name=st.sampled_from(NAMES), data=st.data())
    @hypothesis_settings(examples=None)
    def run(name: str, data: st.DataObject) -> None:
        payload = zalo_event(name, page=world.bmt_page)
        body, signature = data.draw(hostile(payload))
        before = InboundEvent.objects.count()
        resp = _post_raw(client, body, payload, signature, world)
        hostile_tally.count(resp.status_code)
        assert resp.status_code in ACCEPTED, (resp.status_code, resp.content[:200])
        stored = InboundEvent.objects.count() - before
        assert stored <= (1 if resp.status_code == 200 else 0)
        if resp.status_code != 200:
            assert resp.json()["message"]  # a clear answer, no traceback

        valid = zalo_event(name, page=world.bmt_page)
        key = event_key(Event.model_validate(valid))
        first = post_zalo(client, valid, secret=secret_of(world.bmt_page))
        again = post_zalo(
            client, encode(valid), signature=first.request.get("HTTP_X_ZEVENT_SIGNATURE")
        )
        assert first.status_code == 200 and first.json()["status"] == "ok", first.content
        assert again.status_code == 200
        assert InboundEvent.objects.filter(key=key).count() == 1
        valid_keys.append(key)

    run()
    drain(raise_errors=False)
    outcomes = dict(InboundEvent.objects.filter(key__in=valid_keys).values_list("key", "status"))
    assert len(outcomes) == len(set(valid_keys))
    failed = [k for k, status in outcomes.items() if status not in {"processed", "ignored"}]
    assert not failed, list(
        InboundEvent.objects.filter(key__in=failed).values_list("status", "last_error")
    )[:5]
    hostile_tally.notes["valid_events_stored_once"] = len(set(valid_keys))
    hostile_tally.notes["valid_events_failed_processing"] = len(failed)
    figures = hostile_tally.report()
    assert figures["server_errors_5xx"] == 0

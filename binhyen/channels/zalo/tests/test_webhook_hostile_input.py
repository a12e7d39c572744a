"""Hostile bodies under the size limit: a clear 400, nothing stored, no traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from binhyen.channels.models import InboundEvent
from binhyen.testing import post_zalo, secret_of, zalo_event


@pytest.fixture
def plain_client() -> Client:
    # The answer a caller sees (a 500 page, not the test client re-raising the error).
    return Client(raise_request_exception=False)


def test_deeply_nested_json_gets_400_and_stores_nothing(world, plain_client, caplog):
    body = b"[" * 120_000 + b"]" * 120_000
    with caplog.at_level(logging.DEBUG):
        resp = plain_client.generic(
            "POST", "/webhooks/zalo/", body[:200_000], content_type="application/json"
        )
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_json"
    assert "lồng" in resp.json()["message"]
    assert InboundEvent.objects.count() == 0
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


def test_nesting_inside_a_signed_event_gets_400_and_stores_nothing(world, plain_client):
    payload = zalo_event("user_submit_info", page=world.bmt_page)
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    payload["info"]["name"] = deep
    resp = post_zalo(plain_client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 400
    assert InboundEvent.objects.count() == 0


def test_ordinary_event_depth_is_still_accepted(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 200
    assert json.loads(InboundEvent.objects.get().body)["event_name"] == "user_send_text"


@pytest.mark.parametrize(
    "mangle",
    [
        # UTF-8-encoded surrogate inside a key: json.loads(bytes) would accept it
        # (surrogatepass), then storing the text failed with a 500 (found by the fuzzer).
        lambda body: b'{"\xed\xa0\x80x": 1, ' + body[1:],
        # An escaped lone surrogate is valid JSON, but no database can store it.
        lambda body: b'{"x\\ud800": 1, ' + body[1:],
    ],
    ids=["encoded-surrogate", "escaped-surrogate"],
)
def test_surrogates_in_a_signed_event_get_400_and_store_nothing(world, plain_client, mangle):
    from binhyen.channels.zalo.signature import signature_header

    payload = zalo_event("user_submit_info", page=world.bmt_page)
    body = mangle(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    header = signature_header(
        app_id=str(payload["app_id"]),
        raw_body=body,
        timestamp=str(payload["timestamp"]),
        oa_secret_key=secret_of(world.bmt_page),
    )
    resp = plain_client.generic(
        "POST",
        "/webhooks/zalo/",
        body,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=header,
    )
    assert resp.status_code == 400, resp.content[:200]
    assert resp.json()["message"]
    assert InboundEvent.objects.count() == 0

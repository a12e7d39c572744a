"""Hostile JSON bodies to the REST API: 400 with a message, nothing stored, no traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.utils import timezone

from binhyen.accounts.services import api_token_create
from binhyen.cases.models import Case, Message
from binhyen.cases.services import IncomingMessage, message_receive


@pytest.fixture
def auth(world):
    _row, token = api_token_create(user=world.officer_bmt)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def case(world):
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:42",
            contact_kind="zalo_user",
            provider_message_id="p1",
            kind="text",
            text="có đánh nhau",
            sent_at=timezone.now(),
        )
    )
    return Case.objects.get()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 120_000 + b"]" * 120_000,
        b'{"text": ' + b"[" * 100 + b'"hi"' + b"]" * 100 + b"}",
        b'{"text": "hi", "client_token": ' + b'{"a":' * 60 + b"1" + b"}" * 60 + b"}",
    ],
    ids=["120k-brackets", "100-deep-text", "60-deep-object"],
)
def test_deeply_nested_json_to_the_api_gets_400_and_stores_nothing(world, case, auth, body, caplog):
    client = Client(raise_request_exception=False)
    before = Message.objects.count()
    with caplog.at_level(logging.DEBUG):
        resp = client.post(
            f"/api/v1/cases/{case.pk}/replies", body, content_type="application/json", **auth
        )
    assert resp.status_code == 400
    assert resp.json()["detail"]
    assert Message.objects.count() == before
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


def test_a_shallow_reply_is_still_accepted(world, case, auth, client):
    resp = client.post(
        f"/api/v1/cases/{case.pk}/replies",
        json.dumps({"text": "Chúng tôi đã nhận tin."}),
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 201


@pytest.mark.parametrize(
    "query",
    ["page_size=250152754331424608", "page_size=0", "cursor=not-a-cursor", "cursor=%00"],
)
def test_a_bad_page_size_or_cursor_is_refused_not_a_server_error(world, case, auth, query):
    """Pages are keyset pages (no OFFSET to overflow); what cannot be a page is a 422."""
    client = Client(raise_request_exception=False)
    resp = client.get(f"/api/v1/cases?{query}", **auth)
    assert resp.status_code == 422


def test_nul_characters_are_refused_not_a_server_error(world, case, auth):
    """Found by schemathesis on PostgreSQL (text cannot hold NUL): 500 before."""
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/cases?unit=%29%00x", **auth).status_code == 422
    before = Message.objects.count()
    resp = client.post(
        f"/api/v1/cases/{case.pk}/replies",
        json.dumps({"text": "a\u0000b"}),
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 400
    assert Message.objects.count() == before

"""The webhook's contract with Zalo: verify, store once, answer fast, never lose."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from django.db import connection
from django.test import Client

from binhyen.cases.models import Case, Message
from binhyen.channels.models import InboundEvent
from binhyen.channels.zalo.signature import compute_signature, signature_header
from binhyen.core.routers import inbox_alias
from binhyen.core.worker import drain
from binhyen.testing import encode, make_world, post_zalo, secret_of, zalo_event


def test_signed_text_is_stored_and_acknowledged(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    event = InboundEvent.objects.get()
    assert event.event_name == "user_send_text"
    assert event.key == f"user_send_text:{payload['message']['msg_id']}"
    assert event.channel_account_id == world.bmt_page.pk
    assert json.loads(event.body) == payload


def test_signature_without_mac_prefix_is_accepted(world, client):

    payload = zalo_event("user_send_text", page=world.bmt_page)
    raw = encode(payload)
    sig = compute_signature(
        app_id=payload["app_id"],
        raw_body=raw,
        timestamp=payload["timestamp"],
        oa_secret_key=secret_of(world.bmt_page),
    )
    resp = post_zalo(client, raw, signature=sig.upper())
    assert resp.status_code == 200
    assert InboundEvent.objects.count() == 1


def test_missing_signature_is_refused_and_nothing_stored(world, client):
    resp = post_zalo(client, zalo_event("user_send_text", page=world.bmt_page))
    assert resp.status_code == 401
    assert resp.json()["error"] == "missing_signature"
    assert InboundEvent.objects.count() == 0


def test_forged_signature_is_refused_and_nothing_stored(world, client, caplog):
    payload = zalo_event("user_send_text", page=world.bmt_page, text="bí mật 0905123456")
    resp = post_zalo(client, payload, secret="not-the-secret")
    assert resp.status_code == 403
    assert InboundEvent.objects.count() == 0
    assert "bad signature" in caplog.text
    assert "0905123456" not in caplog.text  # the body is never logged
    assert payload["sender"]["id"] not in caplog.text


def test_signature_of_another_page_body_does_not_verify(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    resp = post_zalo(client, payload, secret=secret_of(world.tanan_page))
    assert resp.status_code == 403


def test_tampered_body_after_signing_is_refused(world, client):

    payload = zalo_event("user_send_text", page=world.bmt_page)
    sig = signature_header(
        app_id=payload["app_id"],
        raw_body=encode(payload),
        timestamp=payload["timestamp"],
        oa_secret_key=secret_of(world.bmt_page),
    )
    payload["message"]["text"] = "đã bị sửa"
    resp = post_zalo(client, payload, signature=sig)
    assert resp.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_unknown_app_is_refused(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    payload["app_id"] = "999"
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 403


def test_registration_probe_gets_200_and_stores_nothing(world, client):
    resp = client.generic("POST", "/webhooks/zalo/", b"{}", content_type="application/json")
    assert resp.status_code == 200
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"", b"[1,2]", b'"text"', b"null"])
def test_malformed_body_gets_400(world, client, body):
    resp = client.generic("POST", "/webhooks/zalo/", body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["message"]
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop("app_id"),
        lambda p: p.pop("event_name"),
        lambda p: p.update(timestamp="yesterday"),
        lambda p: p.update(sender={"id": ""}),
        lambda p: p.update(message={"attachments": "nope"}),
        lambda p: p.update(event_name="<script>"),
    ],
)
def test_event_missing_required_fields_gets_400(world, client, mutate):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    mutate(payload)
    resp = post_zalo(client, payload, signature="mac=" + "0" * 64)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_event"


def test_oversized_body_gets_413(world, client, settings):
    payload = zalo_event(
        "user_send_text", page=world.bmt_page, text="x" * (settings.WEBHOOK_MAX_BYTES + 10)
    )
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 413
    assert InboundEvent.objects.count() == 0


def test_get_is_harmless(client):
    assert client.get("/webhooks/zalo/").status_code == 200


def test_other_methods_are_refused(client):
    assert client.put("/webhooks/zalo/", b"{}").status_code == 405


def test_unknown_event_type_is_stored_ignored_and_acknowledged(world, client, drain):
    payload = zalo_event("add_user_to_tag", page=world.bmt_page)
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 200
    drain()
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.IGNORED
    assert Case.objects.count() == 0


def test_triple_delivery_makes_exactly_one_message_and_case(world, client, drain):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    answers = [
        post_zalo(
            client, payload, secret=secret_of(world.bmt_page), headers={"HTTP_NUM_RETRY": str(i)}
        )
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["status"] for a in answers] == ["ok", "duplicate", "duplicate"]
    drain()
    assert InboundEvent.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 1
    assert Case.objects.count() == 1


def test_redelivery_after_processing_changes_nothing(world, client, drain):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    assert Message.objects.filter(direction="in").count() == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_store_one_event():

    world = make_world()
    payload = zalo_event("user_send_text", page=world.bmt_page)
    raw = encode(payload)

    sig = signature_header(
        app_id=payload["app_id"],
        raw_body=raw,
        timestamp=payload["timestamp"],
        oa_secret_key=secret_of(world.bmt_page),
    )
    barrier = threading.Barrier(2)
    results: list[int] = []

    def deliver() -> None:
        c = Client()
        barrier.wait()
        try:
            r = c.generic(
                "POST",
                "/webhooks/zalo/",
                raw,
                content_type="application/json",
                HTTP_X_ZEVENT_SIGNATURE=sig,
            )
            results.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200]
    assert InboundEvent.objects.count() == 1
    drain()
    assert Message.objects.filter(direction="in").count() == 1
    assert Case.objects.count() == 1


def test_event_for_a_page_not_connected_is_refused(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    payload["recipient"]["id"] = "1111111111111111111"
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 403
    assert resp.json()["error"] == "unknown_page"
    assert InboundEvent.objects.count() == 0


def test_numeric_timestamp_is_accepted(world, client, drain):
    payload = zalo_event("user_send_text_numeric_timestamp", page=world.bmt_page)
    payload["timestamp"] = int(payload["timestamp"])
    raw = encode(payload)

    sig = signature_header(
        app_id=payload["app_id"],
        raw_body=raw,
        timestamp=str(payload["timestamp"]),
        oa_secret_key=secret_of(world.bmt_page),
    )
    assert post_zalo(client, raw, signature=sig).status_code == 200
    drain()
    assert Message.objects.filter(direction="in").count() == 1


def test_stored_event_body_is_encrypted_at_rest(world, client):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    from django.db import connections

    with connections[inbox_alias()].cursor() as cur:
        cur.execute("SELECT body FROM channels_inboundevent")
        (stored,) = cur.fetchone()
    assert payload["sender"]["id"] not in stored
    assert "user_send_text" not in stored


def _inbox_statements(fn):  # type: ignore[no-untyped-def]
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections[inbox_alias()]) as ctx:
        result = fn()
    return result, [q["sql"].split()[0].upper() for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_an_event_is_one_committed_insert_and_a_repeat_is_refused():
    """A webhook stores with one statement, no BEGIN/COMMIT around it; it is committed when
    store_event returns (another connection sees it), and a repeat of the key returns False
    with the connection still usable."""
    import threading as _threading

    from binhyen.channels.zalo.webhook import store_event

    def store(key: str) -> bool:
        return store_event(
            key=key, account_id=1, event_name="user_send_text", raw=b"{}", retry_header=0
        )

    stored, statements = _inbox_statements(lambda: store("user_send_text:a1"))
    assert stored is True
    assert statements == ["INSERT"]

    seen: list[int] = []

    def other_connection() -> None:
        from django.db import connections

        try:
            seen.append(InboundEvent.objects.filter(key="user_send_text:a1").count())
        finally:
            connections.close_all()

    t = _threading.Thread(target=other_connection)
    t.start()
    t.join()
    assert seen == [1]

    repeated, statements = _inbox_statements(lambda: store("user_send_text:a1"))
    assert repeated is False
    assert statements == ["INSERT"]
    assert store("user_send_text:a2") is True
    assert InboundEvent.objects.count() == 2


def test_inside_a_transaction_a_repeat_does_not_break_it(db):
    from django.db import transaction

    from binhyen.channels.zalo.webhook import store_event

    def store(key: str) -> bool:
        return store_event(
            key=key, account_id=1, event_name="user_send_text", raw=b"{}", retry_header=0
        )

    with transaction.atomic(using=inbox_alias()):
        assert store("user_send_text:b1") is True
        assert store("user_send_text:b1") is False
        assert store("user_send_text:b2") is True  # the transaction is still usable
    assert InboundEvent.objects.count() == 2


def test_inside_a_transaction_an_event_and_its_repeat_are_one_insert_each(db):
    """No savepoint around the INSERT: a repeat of the key inserts nothing (ON CONFLICT DO
    NOTHING) instead of raising an IntegrityError that a savepoint would have to undo."""
    from django.db import transaction

    from binhyen.channels.zalo.webhook import store_event

    def store(key: str) -> bool:
        return store_event(
            key=key, account_id=1, event_name="user_send_text", raw=b"{}", retry_header=0
        )

    with transaction.atomic(using=inbox_alias()):
        stored, statements = _inbox_statements(lambda: store("user_send_text:c1"))
        assert (stored, statements) == (True, ["INSERT"])
        repeated, statements = _inbox_statements(lambda: store("user_send_text:c1"))
        assert (repeated, statements) == (False, ["INSERT"])
    assert InboundEvent.objects.count() == 1


def test_a_stored_event_has_the_model_defaults_and_its_values(db):
    """The INSERT is written by hand, not by Model.save(): every column must still be what
    the model would have written (defaults included) and read back through the ORM."""
    from django.utils import timezone

    from binhyen.channels.zalo.webhook import store_event

    before = timezone.now()
    assert store_event(
        key="user_send_text:d1",
        account_id=7,
        event_name="user_send_text",
        raw='{"text":"Cháy ở chợ"}'.encode(),
        retry_header=3,
        person="ab" * 32,
    )
    event = InboundEvent.objects.get()
    assert (event.provider, event.key, event.event_name) == (
        "zalo",
        "user_send_text:d1",
        "user_send_text",
    )
    assert (event.channel_account_id, event.retry_header, event.person_hash) == (7, 3, "ab" * 32)
    assert event.body == '{"text":"Cháy ở chợ"}'
    assert event.status == InboundEvent.Status.RECEIVED
    assert (event.attempts, event.last_error, event.claimed_by) == (0, "", "")
    assert event.redacted_at is None and event.claimed_at is None and event.processed_at is None
    assert before <= event.received_at <= timezone.now()


def _fresh_request_connection():  # type: ignore[no-untyped-def]
    """The inbox connection as a webhook request finds it: open, health check not yet done."""
    from django.db import connections

    conn = connections[inbox_alias()]
    conn.ensure_connection()
    assert conn.health_check_enabled  # CONN_HEALTH_CHECKS, as in production settings
    conn.health_check_done = False
    return conn


@pytest.mark.django_db(transaction=True)
def test_the_insert_is_the_connection_health_check(monkeypatch):
    """Django would check the connection with `SELECT 1` before the INSERT (on PostgreSQL a
    round trip per webhook); the INSERT itself stands in for the check."""
    from binhyen.channels.zalo.webhook import store_event

    conn = _fresh_request_connection()
    checks: list[bool] = []
    monkeypatch.setattr(conn, "is_usable", lambda: checks.append(True) or True)
    assert store_event(
        key="user_send_text:e1",
        account_id=1,
        event_name="user_send_text",
        raw=b"{}",
        retry_header=0,
    )
    assert checks == []
    assert conn.health_check_done
    assert InboundEvent.objects.filter(key="user_send_text:e1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dead_connection_is_replaced_and_the_event_stored(monkeypatch):
    """The connection died since the last request (PostgreSQL restarted, the backend was
    terminated): the INSERT fails, the connection is found unusable, a new one stores it."""
    import psycopg

    from binhyen.channels.zalo.webhook import store_event

    conn = _fresh_request_connection()
    if conn.vendor == "postgresql":
        s = conn.settings_dict
        with psycopg.connect(
            dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"], autocommit=True
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [conn.connection.info.backend_pid])
    else:  # SQLite has no server to lose: close the file handle under Django's feet
        raw = conn.connection
        raw.close()

        def usable() -> bool:
            try:
                conn.connection.execute("SELECT 1")
            except sqlite3.ProgrammingError:
                return False
            return True

        monkeypatch.setattr(conn, "is_usable", usable)
    old = conn.connection
    assert store_event(
        key="user_send_text:f1",
        account_id=1,
        event_name="user_send_text",
        raw=b"{}",
        retry_header=0,
    )
    assert conn.connection is not old
    assert InboundEvent.objects.filter(key="user_send_text:f1").count() == 1

"""POST /webhooks/zalo/ — one URL for every OA of every connected Zalo app.

Verify, store the raw event under its unique key, queue it, answer 200. Nothing else
happens inside the request: Zalo gives us 2 s and retries (then unsubscribes) after that.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from binhyen.channels.inbox import person_hash
from binhyen.channels.models import ChannelAccount, InboundEvent, Provider
from binhyen.channels.zalo.handlers import contact_key_of
from binhyen.channels.zalo.schemas import Event
from binhyen.channels.zalo.signature import signature_matches
from binhyen.core.routers import inbox_alias
from binhyen.lib import crypto, jsonbody

log = logging.getLogger("binhyen.webhooks.zalo")

SIGNATURE_HEADER = "HTTP_X_ZEVENT_SIGNATURE"


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or None when it is over the limit (checked before reading it all)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def event_key(event: Event) -> str:
    """The unique provider key: the msg_id where Zalo gives one, else a keyed digest."""
    msg = event.message
    if msg is not None and msg.msg_id:
        ident = (
            msg.msg_id
            if len(msg.msg_id) <= 100
            else hashlib.sha256(msg.msg_id.encode()).hexdigest()
        )
        return f"{event.event_name}:{ident}"
    if msg is not None and msg.msg_ids:
        joined = ",".join(sorted(msg.msg_ids))
        return f"{event.event_name}:" + crypto.lookup_hash("ids", joined, event.timestamp)
    return f"{event.event_name}:" + crypto.lookup_hash(
        "evt", event.event_name, event.oa_ref or "", event.person_ref or "", event.timestamp
    )


_PAGE_CACHE: dict[tuple[str, str], tuple[float, int, list[str]]] = {}
_PAGE_CACHE_SECONDS = 30.0


def _page_for(event: Event) -> tuple[int, list[str]] | None:
    """The connected page this event is about and the keys that may sign for it.

    Cached per process for a few seconds: a webhook burst must not decrypt the page's
    secrets for every event. A page disconnected or re-keyed is seen within 30 s.
    """
    if not event.oa_ref:
        return None
    cache_key = (event.app_id, event.oa_ref)
    hit = _PAGE_CACHE.get(cache_key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < _PAGE_CACHE_SECONDS:
        return hit[1], hit[2]
    account = ChannelAccount.objects.filter(
        provider=Provider.ZALO, app_id=event.app_id, external_id=event.oa_ref, is_active=True
    ).first()
    if account is None:
        _PAGE_CACHE.pop(cache_key, None)
        return None
    keys = _keys(account)
    _PAGE_CACHE[cache_key] = (now, account.pk, keys)
    return account.pk, keys


def clear_page_cache() -> None:
    _PAGE_CACHE.clear()


def _keys(account: ChannelAccount) -> list[str]:
    keys = [account.oa_secret_key]
    if settings.ZALO_SIGNATURE_ACCEPT_APP_SECRET and account.app_secret_key:
        # Sources disagree on which key signs (zalo-oa.md §1): an opt-in for bring-up.
        keys.append(account.app_secret_key)
    return [k for k in keys if k]


@csrf_exempt
def zalo_webhook(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        # Some tools probe the URL with GET; answering costs nothing.
        return JsonResponse({"status": "ok"})
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Chỉ nhận POST.")

    raw = _read_body(request, settings.WEBHOOK_MAX_BYTES)
    if raw is None:
        log.warning("zalo webhook: body over %d bytes refused", settings.WEBHOOK_MAX_BYTES)
        return _error(413, "too_large", "Nội dung vượt quá giới hạn cho phép.")
    try:
        data: Any = jsonbody.loads(raw)
    except jsonbody.JsonBodyError as exc:
        return _error(400, exc.code, exc.message)
    signature = request.META.get(SIGNATURE_HEADER)
    if data == {}:
        # Zalo posts an unsigned {} when the webhook URL is saved; it wants a 200.
        return JsonResponse({"status": "ok"})
    if not isinstance(data, dict):
        return _error(400, "invalid_event", "Sự kiện phải là một đối tượng JSON.")
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})[:5]
        return _error(400, "invalid_event", "Sự kiện không hợp lệ: " + ", ".join(fields))

    digest = hashlib.sha256(raw).hexdigest()[:16]
    if not signature:
        log.warning(
            "zalo webhook: unsigned %s (app %s, body sha256 %s)",
            event.event_name,
            event.app_id,
            digest,
        )
        return _error(401, "missing_signature", "Thiếu chữ ký X-ZEvent-Signature.")

    page = _page_for(event)
    if page is None:
        log.warning(
            "zalo webhook: %s for a page not connected here (app %s, body sha256 %s)",
            event.event_name,
            event.app_id,
            digest,
        )
        return _error(403, "unknown_page", "Trang Zalo chưa được kết nối với BinhYen.")
    if not any(
        signature_matches(
            signature,
            app_id=event.app_id,
            raw_body=raw,
            timestamp=event.timestamp,
            oa_secret_key=key,
        )
        for key in page[1]
    ):
        log.warning(
            "zalo webhook: bad signature on %s (app %s, body sha256 %s)",
            event.event_name,
            event.app_id,
            digest,
        )
        return _error(403, "bad_signature", "Chữ ký không hợp lệ.")

    retry = request.META.get("HTTP_NUM_RETRY", "0")

    stored = store_event(
        key=event_key(event),
        person=person_hash(channel_account_id=page[0], person_key=contact_key_of(event))
        if event.person_ref
        else "",
        account_id=page[0],
        event_name=event.event_name,
        raw=raw,
        retry_header=int(retry) if retry.isdigit() and len(retry) < 6 else 0,
    )
    return JsonResponse({"status": "ok" if stored else "duplicate"})


def store_event(
    *,
    key: str,
    account_id: int,
    event_name: str,
    raw: bytes,
    retry_header: int,
    person: str = "",
) -> bool:
    """Persist the event (one INSERT; the worker polls for it). False on a repeat.

    One `INSERT … ON CONFLICT (provider, key) DO NOTHING`: a repeat of the key inserts
    nothing and is told apart by the row count, so no exception, no savepoint, and inside a
    caller's transaction nothing to roll back. In autocommit (a webhook request) it is its
    own transaction, committed before the 200. The statement is built once per database
    vendor (`_insert_plan`); the values go through each model field's `get_db_prep_save`,
    so the body is encrypted by `EncryptedTextField` itself and every default (`received_at`,
    `status`, …) is the model's.

    With `CONN_HEALTH_CHECKS` Django would send `SELECT 1` before the first statement of
    every request (PostgreSQL: a round trip per webhook). Here the INSERT is the check: if
    the connection turns out dead, it is closed and the INSERT sent once more on a new one
    (safe: a dead connection committed nothing, and a repeat of the key is refused anyway).
    """
    connection = connections[inbox_alias()]
    sql, fields = _insert_plan(connection)
    given = {
        "provider": Provider.ZALO.value,
        "key": key,
        "channel_account_id": account_id,
        "person_hash": person,
        "event_name": event_name,
        "body": raw.decode("utf-8"),
        "retry_header": retry_header,
    }
    params = [
        prepared
        if prepared is not _PER_CALL
        else field.get_db_prep_save(
            given[field.attname] if field.attname in given else field.get_default(), connection
        )
        for field, prepared in fields
    ]
    if _check_by_inserting(connection):
        try:
            return _insert(connection, sql, params)
        except DatabaseError:
            if connection.is_usable():
                raise
            connection.close()
    return _insert(connection, sql, params)


def _check_by_inserting(connection: Any) -> bool:
    """True when Django would health-check this connection before its next statement:
    the check is then marked done, the INSERT standing in for it."""
    if (
        connection.connection is None
        or connection.in_atomic_block
        or not connection.health_check_enabled
        or connection.health_check_done
    ):
        return False
    connection.health_check_done = True
    return True


def _insert(connection: Any, sql: str, params: list[Any]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


_INSERT_PLANS: dict[str, tuple[str, list[tuple[Any, Any]]]] = {}
_PER_CALL = object()  # a value prepared on every call (given, or a callable default)

# Fields store_event always gives a value (the others take the model's default).
_GIVEN = frozenset(
    {"provider", "key", "channel_account_id", "person_hash", "event_name", "body", "retry_header"}
)


def _insert_plan(connection: Any) -> tuple[str, list[tuple[Any, Any]]]:
    """The INSERT of one InboundEvent for this vendor, and the fields of its placeholders
    (every concrete field but the auto primary key; nullable fields without a default are
    left to the database's NULL), each with its default already prepared for the database
    when that default is a constant, else `_PER_CALL`."""
    plan = _INSERT_PLANS.get(connection.vendor)
    if plan is not None:
        return plan
    if connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"store_event: no INSERT … ON CONFLICT for {connection.vendor}")
    meta = InboundEvent._meta
    fields = [
        f
        for f in meta.concrete_fields
        if f is not meta.pk and (f.has_default() or not f.null or f.attname in _GIVEN)
    ]
    (unique,) = [c for c in meta.constraints if c.name == "inbound_event_provider_key"]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    target = ", ".join(qn(meta.get_field(name).column) for name in unique.fields)  # type: ignore[attr-defined,union-attr]
    # Only the model's own table and column names, quoted; the values are parameters.
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({target}) DO NOTHING"
    )
    prepared = [
        (
            f,
            _PER_CALL
            if f.attname in _GIVEN or callable(f.default)
            else f.get_db_prep_save(f.get_default(), connection),
        )
        for f in fields
    ]
    _INSERT_PLANS[connection.vendor] = (sql, prepared)
    return sql, prepared

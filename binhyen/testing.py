"""Test helpers: the tiny named world and Zalo event builders.

The world is built through the same services as production: a province with a duty
officer and a province officer, two commune police units (Buôn Ma Thuột, Tân An) with
an officer each, a commander in Buôn Ma Thuột, and a Zalo page for each unit.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from binhyen.accounts.models import Role, User
from binhyen.accounts.services import staff_upsert
from binhyen.cases.models import Case
from binhyen.cases.services import IncomingMessage, case_open, message_receive
from binhyen.channels.models import ChannelAccount
from binhyen.channels.services import zalo_page_connect
from binhyen.channels.zalo.signature import signature_header
from binhyen.units.models import Area, Unit
from binhyen.units.services import unit_upsert

FIXTURES = Path(__file__).resolve().parent / "channels" / "zalo" / "tests" / "fixtures"
APP_ID = "1234567890123456789"
PASSWORD = "test-password-123"  # noqa: S105


@dataclass
class World:
    province: Unit
    bmt: Unit
    tanan: Unit
    province_page: ChannelAccount
    bmt_page: ChannelAccount
    tanan_page: ChannelAccount
    duty: User
    province_officer: User
    commander_bmt: User
    officer_bmt: User
    officer_tanan: User
    outsider: User


def _area(code: str, name: str, kind: str, parent: Area | None, lat: float, lon: float) -> Area:
    area, _ = Area.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "parent": parent, "latitude": lat, "longitude": lon},
    )
    return area


def page_secret(unit_code: str) -> str:
    return f"oa-secret-{unit_code}"


def oa_id_for(unit_code: str) -> str:
    return "2345678901234567890" if unit_code == "66" else f"23456789012345{unit_code}"


def make_world() -> World:
    prov_area = _area("66", "Tỉnh Đắk Lắk", Area.Kind.PROVINCE, None, 12.67, 108.04)
    bmt_area = _area("24133", "Phường Buôn Ma Thuột", Area.Kind.WARD, prov_area, 12.68, 108.04)
    tanan_area = _area("24163", "Phường Tân An", Area.Kind.WARD, prov_area, 12.71, 108.06)
    province = unit_upsert(
        code="66",
        name="Công an tỉnh Đắk Lắk",
        kind=Unit.Kind.PROVINCE,
        parent=None,
        areas=[prov_area],
    )
    bmt = unit_upsert(
        code="24133",
        name="Công an phường Buôn Ma Thuột",
        kind=Unit.Kind.COMMUNE,
        parent=province,
        areas=[bmt_area],
    )
    tanan = unit_upsert(
        code="24163",
        name="Công an phường Tân An",
        kind=Unit.Kind.COMMUNE,
        parent=province,
        areas=[tanan_area],
    )
    pages = {}
    for unit in (province, bmt, tanan):
        pages[unit.code], _ = zalo_page_connect(
            unit=unit,
            oa_id=oa_id_for(unit.code),
            app_id=APP_ID,
            oa_secret_key=page_secret(unit.code),
            app_secret_key="app-secret",  # noqa: S106
            access_token=f"at-{unit.code}",
            refresh_token=f"rt-{unit.code}",
        )

    def staff(username: str, unit: Unit | None, role: str) -> User:
        return staff_upsert(
            username=username,
            password=PASSWORD,
            full_name=username.replace(".", " ").title(),
            memberships=[(unit, role)] if unit else [],
        )

    return World(
        province=province,
        bmt=bmt,
        tanan=tanan,
        province_page=pages["66"],
        bmt_page=pages["24133"],
        tanan_page=pages["24163"],
        duty=staff("duty", province, Role.DUTY),
        province_officer=staff("province.officer", province, Role.OFFICER),
        commander_bmt=staff("commander.bmt", bmt, Role.COMMANDER),
        officer_bmt=staff("officer.bmt", bmt, Role.OFFICER),
        officer_tanan=staff("officer.tanan", tanan, Role.OFFICER),
        outsider=staff("outsider", None, Role.OFFICER),
    )


# --- Zalo events ---------------------------------------------------------------------------


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def now_ms() -> str:
    return str(int(time.time() * 1000))


def zalo_event(
    name: str,
    *,
    page: ChannelAccount,
    user_id: str = "3456789012345678901",
    fresh_id: bool = True,
    **changes: Any,
) -> dict[str, Any]:
    """A fixture event re-addressed to `page` and `user_id`, with a fresh msg_id and time."""
    payload = copy.deepcopy(fixture(name))
    payload["app_id"] = page.app_id
    payload["timestamp"] = now_ms()
    oa = page.external_id
    ev = payload["event_name"]
    if "follower" in payload:
        payload["follower"]["id"] = user_id
        payload["oa_id"] = oa
    elif ev in {"user_withdraw", "user_click_chatnow"}:
        payload["oa_id"] = oa
        payload["user_id"] = user_id
    elif ev.startswith("oa_") or ev in {"user_received_message", "user_seen_message"}:
        payload["sender"]["id"] = oa
        payload["recipient"]["id"] = user_id
    elif "sender" in payload:
        payload["sender"]["id"] = user_id
        payload["recipient"]["id"] = oa
    if "oa_id" in payload and "follower" not in payload:
        payload["oa_id"] = oa
    msg = payload.get("message")
    if fresh_id and isinstance(msg, dict) and "msg_id" in msg:
        msg["msg_id"] = secrets.token_hex(16)
    for key, value in changes.items():
        if key == "text":
            payload["message"]["text"] = value
        else:
            payload[key] = value
    return payload


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def post_zalo(
    client: Client,
    payload: dict[str, Any] | bytes,
    *,
    secret: str | None = None,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST to the real webhook, signed with the page's OA Secret Key unless told otherwise."""
    raw = payload if isinstance(payload, bytes) else encode(payload)
    extra: dict[str, Any] = dict(headers or {})
    if signature is None and secret is not None and not isinstance(payload, bytes):
        signature = signature_header(
            app_id=str(payload["app_id"]),
            raw_body=raw,
            timestamp=str(payload["timestamp"]),
            oa_secret_key=secret,
        )
    if signature is not None:
        extra["HTTP_X_ZEVENT_SIGNATURE"] = signature
    return client.generic("POST", "/webhooks/zalo/", raw, content_type="application/json", **extra)


def secret_of(page: ChannelAccount) -> str:
    return str(page.oa_secret_key)


# --- browser tests ------------------------------------------------------------------------------

CHROMIUM = os.environ.get("BINHYEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def require_browser() -> None:
    """Debian's Chromium and the playwright package, or a failure in CI (a skip elsewhere)."""
    import pytest  # deferred: pytest is a dev dependency only

    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401  # deferred: only browser tests need it
    except ImportError:
        missing.append("the playwright package")
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def chromium_page(
    viewport: dict[str, int] | None = None, timeout_ms: int = 15_000
) -> Iterator[Any]:
    """A Playwright page in headless Chromium (never `playwright install`)."""
    require_browser()
    from playwright.sync_api import sync_playwright  # deferred: only browser tests need it

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        size = viewport or DESKTOP
        context = browser.new_context(
            viewport={"width": size["width"], "height": size["height"]}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def console_login(page: Any, base_url: str, username: str) -> None:
    """Sign a test account in to the console through the login form (no 2FA)."""
    page.goto(f"{base_url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/tin-bao/**")


def off_loop(fn: Callable[[], Any]) -> Any:
    """Database work from a plain thread: Playwright's sync API keeps an event loop running in
    the test's thread, where Django refuses database access."""
    from django.db import connections  # deferred: settings are configured by then

    out: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return out[0] if out else None


def bare_case(
    unit: Unit,
    summary: str,
    *,
    page: ChannelAccount | None = None,
    at: datetime | None = None,
    code: str = "",
) -> Case:
    """A case opened directly (no citizen, no conversation): the start of tests of what
    happens to a case, in or out of a worker's batch."""
    return case_open(
        unit_id=unit.pk,
        channel_account=page,
        conversation=None,
        contact=None,
        summary=summary,
        at=at or timezone.now(),
        code=code,
    )


def selects_from(ctx: CaptureQueriesContext, table: str) -> int:
    """SELECT statements on `table` among the captured queries."""
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    )


def citizen_says(
    page: ChannelAccount, text: str, *, user: str = "1", message_id: str = "m1"
) -> Case:
    """A Zalo citizen's text received through the service the worker calls (no triage
    here): the case it landed in, read back."""
    message = message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:{user}",
            contact_kind="zalo_user",
            provider_message_id=message_id,
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user},
        )
    )
    assert message is not None and message.case_id is not None
    return Case.objects.get(pk=message.case_id)

"""In real Chromium: a signed-in duty officer's open inbox shows a critical alert (banner,
link, acknowledgement) and a high one (toast) without a reload, from `binhyen serve`
(gunicorn + the live server on its own port) against this test database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone

from binhyen import live
from binhyen.cases import services as cases
from binhyen.live.tests.conftest import free_port, subprocess_env
from binhyen.testing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    console_login,
    off_loop,
    require_browser,
)

pytestmark = pytest.mark.browser


class Served:
    def __init__(self, base: str, socket_dir: str) -> None:
        self.base = base
        self.socket_dir = socket_dir


@pytest.fixture(scope="module")
def served(django_db_setup) -> Iterator[Served]:
    """`binhyen serve` on free ports against the test database, once per module (it takes
    a few seconds to start); each test still gets a fresh, committed world."""
    require_browser()
    port, live_port = free_port(), free_port()
    var_dir = tempfile.mkdtemp(prefix="bylive-serve-")
    socket_dir = os.path.join(var_dir, "live")
    env = subprocess_env({"BINHYEN_VAR_DIR": var_dir, "BINHYEN_LIVE_SOCKET_DIR": socket_dir})
    env.pop("BINHYEN_LIVE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "binhyen.cli",
            "serve",
            "--port",
            str(port),
            "--live-port",
            str(live_port),
            "--workers",
            "1",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        pending = [f"{base}/readyz", f"http://127.0.0.1:{live_port}/live/healthz"]
        while pending:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("binhyen serve did not start")
            try:
                if httpx.get(pending[0], timeout=1).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield Served(base, socket_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture
def console(transactional_db, world, served, settings) -> str:
    """The served console with this test's world committed; publish() reaches it."""
    settings.LIVE_SOCKET_DIR = served.socket_dir
    return served.base


@pytest.fixture
def browser_page(console):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda e: print("page error:", e))
        try:
            yield page
        finally:
            context.close()
            browser.close()


def publish(**kwargs) -> None:
    """live.publish from a plain thread: Playwright's sync API keeps an event loop running
    in this one, where Django refuses database access."""
    from django.db import connections

    errors: list[BaseException] = []

    def run() -> None:
        try:
            live.publish(**kwargs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    if errors:
        raise errors[0]


def sign_in_and_open_inbox(page, base: str, username: str) -> None:
    console_login(page, base, username)
    # Functions, not expression strings: Playwright polls a string with eval(), which the
    # pages' Content-Security-Policy (no unsafe-eval) refuses.
    page.wait_for_function("() => window.BinhYenLive && window.BinhYenLive.state === 'open'")


def duty_alert(world, unit, code: str, urgency: str = "critical", **extra) -> dict:
    """What the duty app publishes when it rings (kind "alert")."""
    return {
        "unit_path": unit.path,
        "kind": "alert",
        "payload": {
            "case_id": int(code.rsplit("-", 1)[-1]),
            "code": code,
            "urgency": urgency,
            "summary": "Nhóm thanh niên mang hung khí <b>",
            "unit_name": unit.name,
            "reason": "urgent",
            "level": 0,
            "url": f"/tin-bao/{int(code.rsplit('-', 1)[-1])}/",
            "ack_url": f"/truc-ban/{code}/xac-nhan/",
            **extra,
        },
    }


def test_critical_tip_rings_the_open_inbox_without_reload(world, console, browser_page):
    page = browser_page
    sign_in_and_open_inbox(page, console, "duty")
    page.evaluate("""() => {
        window.__seen = [];
        window.BinhYenLive.on("alert", (e) => window.__seen.push(e.payload.code));
    }""")
    page.evaluate("window.__marker = 'same page'")
    acks = []
    page.route(
        "**/xac-nhan/", lambda route: (acks.append(route.request.method), route.fulfill(status=204))
    )

    publish(**duty_alert(world, world.bmt, "TB-0042"))

    banner = page.locator(".live-banner")
    banner.wait_for(state="visible", timeout=5_000)
    assert "KHẨN CẤP" in banner.inner_text()
    assert banner.locator(".live-banner-summary").inner_text() == (
        "Nhóm thanh niên mang hung khí <b>"  # shown as text, never as markup
    )
    assert banner.locator("a.live-open").get_attribute("href") == "/tin-bao/42/"
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    assert page.evaluate("window.__seen") == ["TB-0042"]
    # Autoplay rules: no gesture yet on this page, so the banner offers to turn sound on.
    assert banner.locator(".live-sound").is_visible()

    banner.locator(".live-ack").click()
    banner.wait_for(state="detached", timeout=5_000)
    page.wait_for_timeout(200)
    assert acks == ["POST"]


def test_unacknowledged_banner_survives_navigation_until_acknowledged_elsewhere(
    world, console, browser_page
):
    page = browser_page
    sign_in_and_open_inbox(page, console, "duty")
    publish(**duty_alert(world, world.tanan, "TB-0043"))
    # Only this test's banner: the module's live server may replay an earlier test's alert
    # that falls inside its clock-skew slack when the page reconnects.
    banner = page.locator(".live-banner", has_text="TB-0043")
    banner.wait_for(state="visible", timeout=5_000)
    page.reload()
    banner.wait_for(state="visible", timeout=5_000)
    # Another officer took the case on another screen: the banner goes here too.
    publish(
        unit_path=world.tanan.path,
        kind="alert.ack",
        payload={"case_id": 43, "code": "TB-0043", "by": "Officer Tanan"},
    )
    banner.wait_for(state="detached", timeout=5_000)


def test_inbox_events_reach_page_hooks_without_ringing(world, console, browser_page):
    page = browser_page
    sign_in_and_open_inbox(page, console, "duty")
    page.evaluate("""() => {
        window.__inbox = [];
        window.BinhYenLive.on("case.new", (e) => window.__inbox.push(e.payload.code));
    }""")
    publish(
        unit_path=world.bmt.path,
        kind="case.new",
        payload={"case_id": 45, "code": "TB-0045", "urgency": "critical"},
    )
    page.wait_for_function("() => window.__inbox.length === 1", timeout=5_000)
    assert page.locator(".live-banner").count() == 0


def test_high_tip_shows_a_toast_and_other_communes_see_nothing(world, console, browser_page):
    page = browser_page
    sign_in_and_open_inbox(page, console, "officer.tanan")
    publish(**duty_alert(world, world.bmt, "TB-0041"))
    publish(**duty_alert(world, world.tanan, "TB-0044", urgency="high", summary="Trộm xe máy"))
    toast = page.locator(".live-toast")
    toast.wait_for(state="visible", timeout=5_000)
    assert "TB-0044" in toast.inner_text()
    assert "Trộm xe máy" in toast.inner_text()
    assert page.locator(".live-banner").count() == 0


# --- alerts that rang before the page was open ---------------------------------------------


def _critical_tip_three_minutes_ago(world) -> str:
    """A critical tip that rang (live event and all) while nobody had a console open."""

    def run() -> str:
        with time_machine.travel(timezone.now() - timedelta(minutes=3), tick=False):
            case = cases.case_open(
                unit_id=world.bmt.pk,
                channel_account=world.bmt_page,
                conversation=None,
                contact=None,
                summary="Cướp có vũ trang tại tiệm vàng",
                at=timezone.now(),
            )
            cases.case_classify(
                case=case, actor=None, intent="tip", category="public_order", urgency="critical"
            )
        return str(case.code)

    return str(off_loop(run))


def test_officer_signing_in_after_a_critical_tip_still_hears_it(world, console, browser_page):
    """The armed-robbery tip rang three minutes before the commune officer signed in: their
    console rings on load (banner, below the navigation), until somebody takes the case."""
    code = _critical_tip_three_minutes_ago(world)
    page = browser_page
    sign_in_and_open_inbox(page, console, "officer.bmt")
    banner = page.locator(".live-banner", has_text=code)
    banner.wait_for(state="visible", timeout=5_000)
    assert "Cướp có vũ trang" in banner.inner_text()
    assert page.title().startswith("(1!)")
    # Below the navigation, not over it nor over the page's search box.
    bar = page.locator("header.topbar").bounding_box()
    box = page.locator(".live-banners").bounding_box()
    assert box["y"] >= bar["y"] + bar["height"] - 1
    search = page.locator("main input[type=search]").first.bounding_box()
    assert search["y"] >= box["y"] + box["height"] - 1
    # Sound needs a gesture: until then the banner offers it; after one, the offer goes.
    sound = banner.locator(".live-sound")
    assert sound.is_visible()
    page.locator("main").click(position={"x": 5, "y": 5})
    page.wait_for_function(
        "() => !document.querySelector('.live-banner .live-sound') ||"
        " document.querySelector('.live-banner .live-sound').hidden"
    )
    assert not sound.is_visible()
    # Another page of the console: still ringing (the server says so, not only this tab).
    page.evaluate("() => localStorage.clear()")
    page.goto(f"{console}/truc-ban/")
    banner.wait_for(state="visible", timeout=5_000)
    banner.locator(".live-ack").click()
    banner.wait_for(state="detached", timeout=5_000)
    page.wait_for_function("() => !document.title.startsWith('(')")
    page.wait_for_timeout(300)  # the acknowledgement POST lands
    page.goto(f"{console}/tin-bao/")
    page.wait_for_function("() => window.BinhYenLive && window.BinhYenLive.state === 'open'")
    page.wait_for_timeout(500)
    assert page.locator(".live-banner", has_text=code).count() == 0


def test_other_communes_officer_is_not_rung_by_it(world, console, browser_page):
    code = _critical_tip_three_minutes_ago(world)
    page = browser_page
    sign_in_and_open_inbox(page, console, "officer.tanan")
    page.wait_for_timeout(500)
    assert page.locator(".live-banner", has_text=code).count() == 0


def test_background_tab_gets_a_desktop_notification_asked_once(world, console, browser_page):
    page = browser_page
    # A stand-in for the browser's Notification API (headless Chromium shows none).
    page.add_init_script("""
        window.__asked = 0; window.__shown = [];
        const perm = localStorage.getItem('test-perm') || 'default';
        function N(title, opts) { window.__shown.push([title, opts.body]); }
        N.permission = perm;
        N.requestPermission = () => {
            window.__asked++;
            localStorage.setItem('test-perm', 'granted');
            return Promise.resolve('granted');
        };
        window.Notification = N;
        document.hasFocus = () => false;
    """)
    sign_in_and_open_inbox(page, console, "duty")
    page.locator("main").click(position={"x": 5, "y": 5})
    assert page.evaluate("() => window.__asked") == 1
    page.reload()
    page.wait_for_function("() => window.BinhYenLive && window.BinhYenLive.state === 'open'")
    page.locator("main").click(position={"x": 5, "y": 5})
    assert page.evaluate("() => window.__asked") == 0  # asked once, remembered
    publish(**duty_alert(world, world.bmt, "TB-0046"))
    page.wait_for_function("() => window.__shown.length === 1", timeout=5_000)
    title, body = page.evaluate("() => window.__shown[0]")
    assert "TB-0046" in title and "Nhóm thanh niên" in body


def test_api_docs_render_on_a_network_without_internet(console, browser_page):
    """Swagger UI's assets come from the project (django-ninja's static files), not a CDN:
    with every request off this machine refused, the docs page still shows the API."""
    page = browser_page
    outside: list[str] = []

    def only_local(route) -> None:
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{console}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for(state="visible", timeout=10_000)
    assert "BinhYen API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 0
    assert outside == []


def test_officers_read_words_not_developer_text(world, console, browser_page):
    """What an officer sees on a case and a commander in the audit log: durations in words,
    citations without the legal office's note, audit details named, no raw keys."""
    from binhyen.audit.models import AuditAction
    from binhyen.audit.services import audit_record

    def setup() -> tuple[int, str]:
        start = timezone.now() - timedelta(minutes=10)
        with time_machine.travel(start, tick=False):
            case = cases.case_open(
                unit_id=world.bmt.pk,
                channel_account=world.bmt_page,
                conversation=None,
                contact=None,
                summary="Đánh nhau trước quán",
                at=timezone.now(),
            )
            cases.case_classify(
                case=case, actor=None, intent="tip", category="public_order", urgency="normal"
            )
        with time_machine.travel(start + timedelta(seconds=189), tick=False):
            cases.dispatch_create(case=case, actor=world.officer_bmt, team="Tổ 113")
        audit_record(
            action=AuditAction.CASE_TRANSFER,
            actor=world.province_officer,
            target=case,
            target_unit=world.bmt,
            summary="Chuyển tin báo về phường",
            details={"from": world.province.code, "to": world.bmt.code, "automatic": True},
        )
        return case.pk, str(case.code)

    pk, code = off_loop(setup)
    page = browser_page
    sign_in_and_open_inbox(page, console, "officer.bmt")
    page.goto(f"{console}/tin-bao/{pk}/")
    times = page.locator("dl.times").inner_text()
    assert "3 phút 9 giây" in times and " s\n" not in times + "\n"
    main = page.locator("main").inner_text()
    assert "pháp chế" not in main

    page.context.clear_cookies()
    console_login(page, console, "commander.bmt")
    page.goto(f"{console}/nhat-ky/")
    row = page.locator(".audit-row", has_text="Chuyển tin báo về phường")
    text = row.inner_text()
    assert f"Tin báo {code}" in text
    assert world.province.name in text and world.bmt.name in text and "có" in text
    for developer_text in ("cases.case", "automatic", "from:", "True"):
        assert developer_text not in text
    assert page.locator("summary", has_text="Chi tiết kỹ thuật").count() == 0


def test_a_reconnected_page_rings_for_what_it_missed(world, console, browser_page, monkeypatch):
    """The stream was down when the tip rang (the event never reached this page): after the
    reconnect the page asks the server and rings."""
    page = browser_page
    sign_in_and_open_inbox(page, console, "officer.bmt")
    with monkeypatch.context() as lost:
        lost.setattr("binhyen.live.publish", lambda **_kw: None)  # whatever the transport
        code = _critical_tip_three_minutes_ago(world)
    page.wait_for_timeout(700)
    assert page.locator(".live-banner", has_text=code).count() == 0
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # the network is back
    page.locator(".live-banner", has_text=code).wait_for(state="visible", timeout=5_000)

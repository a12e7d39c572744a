"""GET /live/stream end to end: a real uvicorn live server, real sessions, real transport."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session

from binhyen import live


def critical(code: str) -> dict:
    return {
        "code": code,
        "urgency": "critical",
        "summary": "Tụ tập mang hung khí",
        "url": "/tin-bao/1/",
    }


def test_anonymous_stream_is_refused(live_app):
    assert live_app.stream().status == 401
    assert live_app.stream("forged-session-key").status == 401


def test_stream_opens_with_hello_and_retry_for_a_signed_in_officer(world, live_app, login):
    sse = live_app.stream(login(world.officer_bmt))
    assert sse.status == 200
    assert sse.headers["content-type"].startswith("text/event-stream")
    assert sse.headers["cache-control"].startswith("no-cache")
    hello = sse.expect("hello")
    assert hello["retry"] == "3000"
    assert hello["json"] == {"heartbeat": 20.0, "gap": False}


def test_each_officer_receives_only_events_of_units_they_may_see(world, live_app, login):
    bmt = live_app.stream(login(world.officer_bmt))
    tanan = live_app.stream(login(world.officer_tanan))
    duty = live_app.stream(login(world.duty))
    for s in (bmt, tanan, duty):
        s.expect("hello")
    live_app.wait_streams(3)

    live.publish(unit_path=world.tanan.path, kind="case.new", payload=critical("TB-TA"))
    live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-BMT"))

    def codes(s, n):
        return [m["json"]["payload"]["code"] for m in s.messages(timeout=3, until=n)]

    assert codes(duty, 2) == ["TB-TA", "TB-BMT"]
    assert codes(bmt, 1) == ["TB-BMT"]
    assert codes(tanan, 1) == ["TB-TA"]
    assert bmt.messages(timeout=0.3) == [] and tanan.messages(timeout=0.3) == []


def test_event_on_the_wire_carries_id_kind_unit_and_payload(world, live_app, login):
    sse = live_app.stream(login(world.officer_bmt))
    sse.expect("hello")
    live_app.wait_streams(1)
    live.publish(unit_path=world.bmt.path, kind="case.escalated", payload=critical("TB-9"))
    [msg] = sse.messages(timeout=3, until=1)
    body = msg["json"]
    assert msg["id"] == body["id"]
    assert body["kind"] == "case.escalated"
    assert body["unit"] == world.bmt.path
    assert body["payload"]["summary"] == "Tụ tập mang hung khí"
    assert "roles" not in body


def test_reconnecting_browser_catches_up_with_last_event_id(world, live_app, login):
    cookie = login(world.duty)
    first = live_app.stream(cookie)
    first.expect("hello")
    live_app.wait_streams(1)
    live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-1"))
    [seen] = first.messages(timeout=3, until=1)
    first.close()
    # Published while the browser was away (a phone in a tunnel):
    live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-2"))
    live.publish(unit_path=world.tanan.path, kind="case.new", payload=critical("TB-3"))
    deadline = time.monotonic() + 3
    while live_app.app.hub.published < 3 and time.monotonic() < deadline:
        time.sleep(0.01)

    again = live_app.stream(cookie, headers={"Last-Event-ID": seen["id"]})
    assert again.expect("hello")["json"]["gap"] is False
    missed = [m["json"]["payload"]["code"] for m in again.messages(timeout=3, until=2)]
    assert missed == ["TB-2", "TB-3"]


def test_catch_up_honours_permissions_and_the_query_parameter(world, live_app, login):
    live_app.wait_streams(0)
    live.publish(unit_path=world.tanan.path, kind="case.new", payload=critical("TB-TA"))
    live.publish(unit_path=world.bmt.path, kind="case.new", payload=critical("TB-BMT"))
    deadline = time.monotonic() + 3
    while live_app.app.hub.published < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    since = f"{live_app.app.hub.complete_since:013d}-00000000"
    sse = live_app.stream(login(world.officer_bmt), path=f"/live/stream?last_event_id={since}")
    sse.expect("hello")
    assert [m["json"]["payload"]["code"] for m in sse.messages(timeout=1)] == ["TB-BMT"]


def test_last_event_id_older_than_the_buffer_asks_the_page_to_resync(world, live_app, login):
    sse = live_app.stream(login(world.duty), headers={"Last-Event-ID": "0000000000001-abcd"})
    assert sse.expect("hello")["json"]["gap"] is True
    sse.expect("resync")


def test_idle_stream_gets_heartbeats(world, live_app, login):
    live_app.app.heartbeat = 0.2
    sse = live_app.stream(login(world.officer_bmt))
    sse.expect("hello")
    assert sse.expect("hb", timeout=2)["data"].isdigit()


def test_stream_ends_with_logout_event_when_the_session_is_gone(world, live_app, login):
    live_app.app.heartbeat = 0.1
    live_app.app.reauth = 0.1
    cookie = login(world.officer_bmt)
    sse = live_app.stream(cookie)
    sse.expect("hello")
    Session.objects.filter(session_key=cookie).delete()
    sse.expect("logout", timeout=5)
    sse.body()
    assert sse.closed


def test_other_sites_may_not_read_the_stream(world, live_app, login):
    cookie = login(world.officer_bmt)
    assert live_app.stream(cookie, headers={"Origin": "https://evil.example"}).status == 403


def test_console_on_the_same_host_and_another_port_gets_a_cors_grant(world, live_app, login):
    sse = live_app.stream(login(world.officer_bmt), headers={"Origin": "http://127.0.0.1:8000"})
    assert sse.status == 200
    assert sse.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert sse.headers["access-control-allow-credentials"] == "true"


def test_trusted_origin_from_settings_gets_a_cors_grant(world, live_app, login, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.binhyen.example"]
    sse = live_app.stream(
        login(world.officer_bmt), headers={"Origin": "https://console.binhyen.example"}
    )
    assert sse.status == 200


def test_health_reports_streams_and_transport(world, live_app, login):
    import httpx

    sse = live_app.stream(login(world.officer_bmt))
    sse.expect("hello")
    body = httpx.get(live_app.base + "/live/healthz").json()
    assert body["ok"] is True
    assert body["streams"] == 1
    assert body["transport"] in {"postgres", "unix"}

"""ZaloClient against the local Zalo simulator: answers, error kinds, uploads, tokens.

No Django and no network: the simulator runs on 127.0.0.1 and its webhook is an
in-process transport that just says 200.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from binhyen.channels.zalo.client import (
    SendResult,
    TokenPair,
    ZaloApiError,
    ZaloClient,
    ZaloErrorKind,
    classify_error,
)
from binhyen.simulator import SimPage, SimulatorServer
from binhyen.simulator.media import sticker_png

APP_ID = "1234567890123456789"
OA_ID = "2345678901234567890"
USER_ID = "3456789012345678901"
APP_SECRET = "app-secret-binhyen"
TOKEN = "initial-access-bmt"
REFRESH = "initial-refresh-bmt"
TIMEOUT = 1.0


def _accept(body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
    return 200, b'{"ok":true}'


@pytest.fixture
def page() -> SimPage:
    return SimPage(
        oa_id=OA_ID,
        app_id=APP_ID,
        oa_secret_key="oa-secret-phuong-bmt",
        app_secret_key=APP_SECRET,
        name="Công an phường Buôn Ma Thuột",
        access_token=TOKEN,
        refresh_token=REFRESH,
    )


@pytest.fixture
def sim(page: SimPage) -> Iterator[SimulatorServer]:
    server = SimulatorServer([page], "in-process", transport=_accept).start()
    # The citizen has just written, so the consultation window is open.
    server.citizen_send_text(OA_ID, USER_ID, "Cho hỏi thủ tục đăng ký tạm trú")
    yield server
    server.stop()


@pytest.fixture
def client(sim: SimulatorServer) -> ZaloClient:
    return ZaloClient(openapi_url=sim.base_url, oauth_url=sim.base_url, timeout=TIMEOUT)


def _send(client: ZaloClient, text: str = "Chào bạn", token: str = TOKEN) -> SendResult:
    return client.send_text(access_token=token, user_id=USER_ID, text=text)


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _error(client: ZaloClient, text: str = "Chào bạn", token: str = TOKEN) -> ZaloApiError:
    with pytest.raises(ZaloApiError) as info:
        _send(client, text, token)
    return info.value


# --- sending --------------------------------------------------------------------------------


def test_send_text_returns_the_message_id_and_free_reply_quota(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    result = _send(client, "Công an phường đã nhận tin của bạn")

    assert result.message_id == sim.sent[-1]["message_id"]
    assert result.quota_type == "reply"
    assert result.raw["user_id"] == USER_ID
    assert sim.sent[-1]["text"] == "Công an phường đã nhận tin của bạn"


def test_a_quoted_reply_names_the_citizens_message(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    quoted = sim.conversation(OA_ID, USER_ID)[-1].msg_id

    client.send_text(access_token=TOKEN, user_id=USER_ID, text="Dạ", quote_message_id=quoted)

    assert sim.sent[-1]["quote_message_id"] == quoted


def test_a_billed_message_has_no_quota_type(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.advance(3 * 24 * 3600)
    fresh = client.refresh_access_token(
        app_id=APP_ID, app_secret_key=APP_SECRET, refresh_token=REFRESH
    )

    assert _send(client, token=fresh.access_token).quota_type is None


def test_text_is_sent_in_nfc(client: ZaloClient, sim: SimulatorServer) -> None:
    decomposed = unicodedata.normalize("NFD", "Cảm ơn bạn đã báo tin")

    _send(client, decomposed)

    assert sim.sent[-1]["text"] == unicodedata.normalize("NFC", decomposed)


def test_2000_characters_after_nfc_are_accepted(client: ZaloClient) -> None:
    decomposed = unicodedata.normalize("NFD", "ệ" * 2000)

    assert _send(client, decomposed).message_id


def test_2001_characters_are_refused_before_anything_is_sent(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    # If the client called Zalo, it would consume this injected answer.
    sim.inject("/message/cs", -32)

    error = _error(client, "a" * 2001)

    assert error.kind is ZaloErrorKind.INVALID and not error.retryable
    assert sim.sent == []
    assert _error(client).code == -32  # the injection is still there: nothing was sent


def test_an_empty_text_is_refused_before_sending(client: ZaloClient) -> None:
    assert _error(client, "   ").kind is ZaloErrorKind.INVALID


# --- error kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (-216, ZaloErrorKind.TOKEN),
        (-220, ZaloErrorKind.TOKEN),
        (-32, ZaloErrorKind.RETRY),
        (-230, ZaloErrorKind.WINDOW),
        (-201, ZaloErrorKind.INVALID),
        (-223, ZaloErrorKind.CONFIG),
        (-211, ZaloErrorKind.QUOTA),
        (-999, ZaloErrorKind.UNKNOWN),
    ],
)
def test_zalo_error_codes_become_error_kinds(
    client: ZaloClient, sim: SimulatorServer, code: int, kind: ZaloErrorKind
) -> None:
    sim.inject("/message/cs", code)

    error = _error(client)

    assert (error.code, error.kind) == (code, kind)
    assert error.http_status == 200  # Zalo fails with HTTP 200 and a negative `error`
    assert error.retryable is (kind is ZaloErrorKind.RETRY)
    assert error.needs_token_refresh is (kind is ZaloErrorKind.TOKEN)


@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        ((-216, -220, -124), ZaloErrorKind.TOKEN),
        ((-32, -100), ZaloErrorKind.RETRY),
        ((-213, -217, -218, -227, -230, -232, -234, -244), ZaloErrorKind.WINDOW),
        ((-209, -212, -223, -240, -242, -14003), ZaloErrorKind.CONFIG),
        ((-211, -320, -321), ZaloErrorKind.QUOTA),
        ((-201,), ZaloErrorKind.INVALID),
        ((-1, -14014, 1), ZaloErrorKind.UNKNOWN),
    ],
)
def test_the_classification_table(codes: tuple[int, ...], kind: ZaloErrorKind) -> None:
    assert {classify_error(code) for code in codes} == {kind}


def test_an_unknown_token_is_a_token_error(client: ZaloClient) -> None:
    error = _error(client, token="not-a-token")

    assert (error.code, error.kind) == (-216, ZaloErrorKind.TOKEN)


def test_an_expired_token_is_a_token_error(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.advance(sim.token_ttl + 1)

    error = _error(client)

    assert (error.code, error.kind) == (-220, ZaloErrorKind.TOKEN)


def test_a_citizen_silent_for_7_days_is_out_of_the_window(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    sim.advance(8 * 24 * 3600)
    fresh = client.refresh_access_token(
        app_id=APP_ID, app_secret_key=APP_SECRET, refresh_token=REFRESH
    )

    error = _error(client, token=fresh.access_token)

    assert (error.code, error.kind) == (-230, ZaloErrorKind.WINDOW)


def test_http_503_is_retryable_with_code_0(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.inject_http("/message/cs", 503)

    error = _error(client)

    assert (error.code, error.kind, error.http_status) == (0, ZaloErrorKind.RETRY, 503)
    assert error.retryable


def test_http_400_is_not_retryable(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.inject_http("/message/cs", 400)

    assert _error(client).kind is ZaloErrorKind.UNKNOWN  # body said error -1


def test_a_slow_zalo_is_a_retryable_timeout(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.inject_delay("/message/cs", TIMEOUT + 0.5)

    error = _error(client)

    assert (error.code, error.kind, error.transport) == (0, ZaloErrorKind.RETRY, "timeout")
    assert TOKEN not in str(error) and USER_ID not in str(error)


def test_an_unreachable_zalo_is_a_retryable_connect_error(sim: SimulatorServer) -> None:
    sim.stop()
    client = ZaloClient(openapi_url=sim.base_url, oauth_url=sim.base_url, timeout=TIMEOUT)

    error = _error(client)

    assert (error.kind, error.transport) == (ZaloErrorKind.RETRY, "connect")


def test_the_token_travels_in_the_access_token_header_not_bearer(
    client: ZaloClient, sim: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[httpx.Headers] = []
    original = httpx.Client.stream

    def spy(self: httpx.Client, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(httpx.Headers(kwargs.get("headers")))  # type: ignore[arg-type]
        return original(self, method, url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Client, "stream", spy)
    _send(client)

    assert seen[0]["access_token"] == TOKEN and "authorization" not in seen[0]


# --- images, files, anonymous ---------------------------------------------------------------


def test_upload_then_send_an_image(client: ZaloClient, sim: SimulatorServer) -> None:
    attachment_id = client.upload_image(
        access_token=TOKEN,
        content=sticker_png("5"),
        filename="so-do.png",
        content_type="image/png",
    )

    result = client.send_image(
        access_token=TOKEN, user_id=USER_ID, attachment_id=attachment_id, caption="Sơ đồ trụ sở"
    )

    assert result.message_id == sim.sent[-1]["message_id"]
    assert sim.sent[-1]["kind"] == "image" and sim.sent[-1]["text"] == "Sơ đồ trụ sở"


def test_images_too_big_or_of_the_wrong_type_are_refused_before_upload(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    sim.inject("/upload/image", -32)
    big = b"\xff\xd8\xff" + b"\x00" * (1024 * 1024)

    for content, content_type in ((big, "image/jpeg"), (b"GIF89a", "image/gif")):
        with pytest.raises(ZaloApiError) as info:
            client.upload_image(
                access_token=TOKEN, content=content, filename="x", content_type=content_type
            )
        assert info.value.kind is ZaloErrorKind.INVALID

    assert sim.take_injection("/v2.0/oa/upload/image") is not None  # never called


def test_an_expired_attachment_is_retryable_after_a_new_upload(client: ZaloClient) -> None:
    with pytest.raises(ZaloApiError) as info:
        client.send_image(access_token=TOKEN, user_id=USER_ID, attachment_id="gone")

    assert (info.value.code, info.value.kind) == (-100, ZaloErrorKind.RETRY)


def test_upload_then_send_a_file(client: ZaloClient, sim: SimulatorServer) -> None:
    file_token = client.upload_file(
        access_token=TOKEN,
        content=b"%PDF-1.4\n",
        filename="giay-hen.pdf",
        content_type="application/pdf",
    )

    result = client.send_file(access_token=TOKEN, user_id=USER_ID, file_token=file_token)

    assert result.message_id and sim.sent[-1]["kind"] == "file"


def test_a_reply_to_an_anonymous_citizen(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.citizen_send_anonymous_text(OA_ID, "ab" * 16, "6789012345678901234", "Tin báo ẩn danh")

    result = client.send_anonymous_text(
        access_token=TOKEN,
        anonymous_id="ab" * 16,
        conversation_id="6789012345678901234",
        text="Cảm ơn bạn đã báo tin",
    )

    assert result.message_id == sim.sent[-1]["message_id"]


# --- tokens ---------------------------------------------------------------------------------


def test_refresh_returns_a_new_pair_and_the_old_refresh_token_dies(client: ZaloClient) -> None:
    pair = client.refresh_access_token(
        app_id=APP_ID, app_secret_key=APP_SECRET, refresh_token=REFRESH
    )

    assert isinstance(pair, TokenPair) and pair.expires_in == 90000
    assert pair.access_token != TOKEN and pair.refresh_token != REFRESH
    assert _send(client, token=pair.access_token).message_id
    with pytest.raises(ZaloApiError) as info:
        client.refresh_access_token(app_id=APP_ID, app_secret_key=APP_SECRET, refresh_token=REFRESH)
    # No refresh failure can be fixed by retrying: an OA admin must grant access again.
    assert info.value.kind is ZaloErrorKind.CONFIG and info.value.code == -14014


def test_refresh_with_a_wrong_app_secret_is_a_config_error(client: ZaloClient) -> None:
    with pytest.raises(ZaloApiError) as info:
        client.refresh_access_token(app_id=APP_ID, app_secret_key="wrong", refresh_token=REFRESH)

    assert info.value.kind is ZaloErrorKind.CONFIG


def test_refresh_during_a_zalo_outage_is_retryable(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    sim.inject_http("/oa/access_token", 502)

    with pytest.raises(ZaloApiError) as info:
        client.refresh_access_token(app_id=APP_ID, app_secret_key=APP_SECRET, refresh_token=REFRESH)

    assert info.value.kind is ZaloErrorKind.RETRY


def test_the_consent_code_buys_the_first_pair(client: ZaloClient, sim: SimulatorServer) -> None:
    redirect = httpx.get(
        sim.base_url + "/v4/oa/permission",
        params={"app_id": APP_ID, "redirect_uri": "https://binhyen.example/zalo/callback"},
    )
    code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]

    pair = client.exchange_code(app_id=APP_ID, app_secret_key=APP_SECRET, code=code)

    assert client.get_oa(access_token=pair.access_token)["oa_id"] == OA_ID


# --- after a timeout: was it delivered? ---------------------------------------------------


def test_a_send_that_timed_out_is_found_in_the_history(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    since = sim.now_ms()
    sim.inject_delay("/message/cs", TIMEOUT + 0.5)
    text = unicodedata.normalize("NFD", "Tổ tuần tra đang đến")
    with pytest.raises(ZaloApiError):
        _send(client, text)
    _wait_until(lambda: bool(sim.sent))  # the simulator finishes the slow send after us

    found = client.find_sent_message(access_token=TOKEN, user_id=USER_ID, text=text, since_ms=since)

    assert found == sim.sent[-1]["message_id"]


def test_a_send_that_never_happened_is_not_found(client: ZaloClient, sim: SimulatorServer) -> None:
    _send(client, "Tin khác")

    found = client.find_sent_message(
        access_token=TOKEN, user_id=USER_ID, text="Tổ tuần tra đang đến", since_ms=0
    )

    assert found is None


def test_an_old_identical_message_does_not_count(client: ZaloClient, sim: SimulatorServer) -> None:
    _send(client, "Đã nhận")
    sim.advance(600)

    found = client.find_sent_message(
        access_token=TOKEN, user_id=USER_ID, text="Đã nhận", since_ms=sim.now_ms() - 60_000
    )

    assert found is None


def test_the_history_pages_newest_first(client: ZaloClient, sim: SimulatorServer) -> None:
    for n in range(12):
        _send(client, f"Tin {n}")

    first = client.get_conversation(access_token=TOKEN, user_id=USER_ID)
    second = client.get_conversation(access_token=TOKEN, user_id=USER_ID, offset=10)

    assert [i["message"] for i in first[:2]] == ["Tin 11", "Tin 10"]
    assert len(first) == 10 and first[0]["src"] == 0
    assert [i["src"] for i in second] == [0, 0, 1]  # the citizen's own first message last


def test_finding_a_sent_message_pages_through_the_history(
    client: ZaloClient, sim: SimulatorServer
) -> None:
    for n in range(12):
        _send(client, f"Tin {n}")

    found = client.find_sent_message(access_token=TOKEN, user_id=USER_ID, text="Tin 0", since_ms=0)

    assert found == sim.sent[0]["message_id"]


# --- reads ----------------------------------------------------------------------------------


def test_user_detail_quota_and_oa(client: ZaloClient, sim: SimulatorServer) -> None:
    sim.citizen_follow(OA_ID, USER_ID, display_name="Nguyễn Văn An")

    detail = client.get_user_detail(access_token=TOKEN, user_id=USER_ID)
    quota = client.get_quota(access_token=TOKEN, user_id=USER_ID)
    oa = client.get_oa(access_token=TOKEN)

    assert detail["display_name"] == "Nguyễn Văn An" and detail["user_is_follower"] is True
    assert quota["last_interaction"] == sim.citizens[(OA_ID, USER_ID)].last_interaction_ms
    assert oa["oa_id"] == OA_ID and oa["name"] == "Công an phường Buôn Ma Thuột"

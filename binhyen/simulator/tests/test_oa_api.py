"""The fake OA API: Zalo's paths, answer shapes, token rules, window and limits."""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest

from binhyen.simulator import SimPage, SimulatorServer
from binhyen.simulator.media import sticker_png
from binhyen.simulator.testing import WebhookReceiver

from .helpers import OA2_ID, OA_ID, USER_ID, call, multipart, send_text

TOKEN = "initial-access-bmt"
DAY = 24 * 3600


@pytest.fixture
def talking(sim: SimulatorServer) -> SimulatorServer:
    """A simulator where the citizen has just written to the page."""
    sim.citizen_send_text(OA_ID, USER_ID, "Cho hỏi thủ tục đăng ký tạm trú")
    return sim


def test_send_answers_like_zalo_inside_48_hours(talking: SimulatorServer) -> None:
    status, answer, headers = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=TOKEN,
        body={"recipient": {"user_id": USER_ID}, "message": {"text": "Chào bạn"}},
    )

    assert status == 200 and answer["error"] == 0 and answer["message"] == "Success"
    data = answer["data"]
    assert re.fullmatch(r"[0-9a-f]{20}", data["message_id"])
    assert data["user_id"] == USER_ID and data["quota"] == {"quota_type": "reply"}
    assert headers["x-ratelimit-limit"] == "4000"
    assert talking.sent[-1]["text"] == "Chào bạn"
    assert talking.sent[-1]["message_id"] == data["message_id"]


def test_after_48_hours_the_message_is_billed_not_free(talking: SimulatorServer) -> None:
    talking.advance(3 * DAY)

    answer = send_text(talking.base_url, TOKEN, USER_ID, "Chào bạn")

    assert answer["error"] == 0 and "quota" not in answer["data"]


def test_after_7_days_the_window_is_closed(talking: SimulatorServer) -> None:
    talking.advance(7 * DAY + 60)

    assert send_text(talking.base_url, TOKEN, USER_ID, "Chào bạn")["error"] == -230
    assert talking.sent == []


def test_a_citizen_who_never_wrote_cannot_be_messaged(sim: SimulatorServer) -> None:
    assert send_text(sim.base_url, TOKEN, "3456789012345678999", "Chào bạn")["error"] == -232


def test_following_opens_the_window(sim: SimulatorServer) -> None:
    sim.citizen_follow(OA_ID, USER_ID)

    assert send_text(sim.base_url, TOKEN, USER_ID, "Cảm ơn bạn đã quan tâm")["error"] == 0


def test_seen_receipts_do_not_reopen_the_window(talking: SimulatorServer) -> None:
    send_text(talking.base_url, TOKEN, USER_ID, "Chào bạn")
    talking.advance(7 * DAY - 60)
    talking.citizen_sees(OA_ID, USER_ID)
    talking.advance(120)

    assert send_text(talking.base_url, TOKEN, USER_ID, "Còn đó không?")["error"] == -230


def test_text_over_2000_characters_is_refused(talking: SimulatorServer) -> None:
    assert send_text(talking.base_url, TOKEN, USER_ID, "a" * 2001)["error"] == -201


def test_the_limit_counts_characters_after_nfc(talking: SimulatorServer) -> None:
    decomposed = unicodedata.normalize("NFD", "ệ" * 2000)  # 6000 code points before NFC
    assert len(decomposed) > 2000

    assert send_text(talking.base_url, TOKEN, USER_ID, decomposed)["error"] == 0


def test_reply_by_message_id_reaches_the_author(talking: SimulatorServer) -> None:
    incoming = talking.conversation(OA_ID, USER_ID)[-1].msg_id

    _s, answer, _h = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=TOKEN,
        body={"recipient": {"message_id": incoming}, "message": {"text": "Đã nhận"}},
    )

    assert answer["error"] == 0 and answer["data"]["user_id"] == USER_ID


def test_an_unknown_token_is_minus_216(talking: SimulatorServer) -> None:
    assert send_text(talking.base_url, "forged", USER_ID, "x")["error"] == -216
    _s, answer, _h = call(talking.base_url, "GET", "/v2.0/oa/getoa")
    assert answer["error"] == -216


def test_an_expired_token_is_minus_220(page: SimPage, receiver: WebhookReceiver) -> None:
    with SimulatorServer([page], receiver.url, token_ttl=60) as server:
        server.citizen_send_text(OA_ID, USER_ID, "Alo")
        server.advance(61)

        assert send_text(server.base_url, TOKEN, USER_ID, "x")["error"] == -220


def test_a_token_of_one_page_does_not_speak_for_another(talking: SimulatorServer) -> None:
    # The citizen wrote to the first page only: the second page's token cannot reach them.
    assert send_text(talking.base_url, "initial-access-tuyhoa", USER_ID, "x")["error"] == -232


def _refresh(base_url: str, refresh_token: str, secret: str = "app-secret-binhyen") -> dict:
    form = f"refresh_token={refresh_token}&app_id=1234567890123456789&grant_type=refresh_token"
    _s, answer, _h = call(
        base_url,
        "POST",
        "/v4/oa/access_token",
        raw=form.encode(),
        headers={"secret_key": secret, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return answer


def test_refresh_gives_a_new_pair_and_burns_the_old_refresh_token(talking: SimulatorServer) -> None:
    pair = _refresh(talking.base_url, "initial-refresh-bmt")

    assert pair["expires_in"] == str(talking.token_ttl)
    assert send_text(talking.base_url, pair["access_token"], USER_ID, "x")["error"] == 0
    assert _refresh(talking.base_url, "initial-refresh-bmt")["error"] == -14014
    assert "access_token" in _refresh(talking.base_url, pair["refresh_token"])


def test_refresh_needs_the_app_secret_in_the_header(sim: SimulatorServer) -> None:
    assert _refresh(sim.base_url, "initial-refresh-bmt", secret="wrong")["error"] == -14003


def test_issued_tokens_survive_a_simulator_restart(
    page: SimPage, receiver: WebhookReceiver
) -> None:
    with SimulatorServer([page], receiver.url) as first:
        pair = _refresh(first.base_url, "initial-refresh-bmt")

    with SimulatorServer([page], receiver.url) as second:
        second.citizen_send_text(OA_ID, USER_ID, "Alo")
        assert send_text(second.base_url, pair["access_token"], USER_ID, "x")["error"] == 0
        assert "access_token" in _refresh(second.base_url, pair["refresh_token"])


def test_permission_redirects_back_with_a_code_that_buys_tokens(sim: SimulatorServer) -> None:
    status, _body, headers = call(
        sim.base_url,
        "GET",
        "/v4/oa/permission",
        query={
            "app_id": "1234567890123456789",
            "redirect_uri": "http://127.0.0.1:1/cb",
            "oa_id": OA2_ID,
            "state": "xyz",
        },
    )

    assert status == 302
    params = parse_qs(urlsplit(headers["location"]).query)
    assert params["oa_id"] == [OA2_ID] and params["state"] == ["xyz"]
    form = f"code={params['code'][0]}&app_id=1234567890123456789&grant_type=authorization_code"
    _s, pair, _h = call(
        sim.base_url,
        "POST",
        "/v4/oa/access_token",
        raw=form.encode(),
        headers={"secret_key": "app-secret-binhyen"},
    )
    _s, oa, _h = call(sim.base_url, "GET", "/v2.0/oa/getoa", token=pair["access_token"])
    assert oa["data"]["oa_id"] == OA2_ID


def _upload(sim: SimulatorServer, path: str, name: str, content: bytes, ctype: str) -> dict:
    raw, content_type = multipart("file", name, content, ctype)
    _s, answer, _h = call(
        sim.base_url, "POST", path, token=TOKEN, raw=raw, headers={"Content-Type": content_type}
    )
    return answer


def test_an_uploaded_image_can_be_sent_and_is_shown_to_the_citizen(
    talking: SimulatorServer,
) -> None:
    upload = _upload(talking, "/v2.0/oa/upload/image", "a.png", sticker_png("7"), "image/png")
    attachment_id = upload["data"]["attachment_id"]

    _s, answer, _h = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=TOKEN,
        body={
            "recipient": {"user_id": USER_ID},
            "message": {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "media",
                        "elements": [{"media_type": "image", "attachment_id": attachment_id}],
                    },
                }
            },
        },
    )

    assert answer["error"] == 0
    shown = talking.conversation(OA_ID, USER_ID)[-1]
    assert shown.kind == "image" and shown.url and shown.url.startswith(talking.base_url)


def test_images_over_1_mb_or_not_jpg_png_are_refused(sim: SimulatorServer) -> None:
    big = b"\xff\xd8\xff" + b"\x00" * (1024 * 1024)
    assert _upload(sim, "/v2.0/oa/upload/image", "a.jpg", big, "image/jpeg")["error"] == -201
    gif = b"GIF89a" + b"\x00" * 20
    assert _upload(sim, "/v2.0/oa/upload/image", "a.gif", gif, "image/gif")["error"] == -201


def test_an_unknown_attachment_is_minus_100(talking: SimulatorServer) -> None:
    _s, answer, _h = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=TOKEN,
        body={
            "recipient": {"user_id": USER_ID},
            "message": {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "media",
                        "elements": [{"media_type": "image", "attachment_id": "expired"}],
                    },
                }
            },
        },
    )

    assert answer["error"] == -100


def test_files_upload_to_a_token_and_only_office_types_pass(talking: SimulatorServer) -> None:
    ok = _upload(talking, "/v2.0/oa/upload/file", "don.pdf", b"%PDF-1.4", "application/pdf")
    exe = _upload(talking, "/v2.0/oa/upload/file", "x.exe", b"MZ", "application/octet-stream")

    assert ok["error"] == 0 and ok["data"]["token"]
    assert exe["error"] == -201


def test_the_v2_message_api_only_serves_anonymous_replies(talking: SimulatorServer) -> None:
    talking.citizen_send_anonymous_text(OA_ID, "ab" * 16, "6789012345678901234", "Ẩn danh")

    _s, old, _h = call(
        talking.base_url,
        "POST",
        "/v2.0/oa/message",
        token=TOKEN,
        body={"recipient": {"user_id": USER_ID}, "message": {"text": "x"}},
    )
    _s, anonymous, _h = call(
        talking.base_url,
        "POST",
        "/v2.0/oa/message",
        token=TOKEN,
        body={
            "recipient": {"anonymous_id": "ab" * 16, "conversation_id": "6789012345678901234"},
            "message": {"text": "Cảm ơn bạn"},
        },
    )

    assert old["error"] == -240
    assert anonymous["error"] == 0 and talking.sent[-1]["text"] == "Cảm ơn bạn"


def test_user_detail_quota_and_oa_read_like_zalo(talking: SimulatorServer) -> None:
    talking.citizen_follow(OA_ID, USER_ID)

    _s, detail, _h = call(
        talking.base_url,
        "GET",
        "/v3.0/oa/user/detail",
        token=TOKEN,
        query={"data": json.dumps({"user_id": USER_ID})},
    )
    _s, quota, _h = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/quota/message",
        token=TOKEN,
        body={"user_id": USER_ID},
    )
    _s, oa, _h = call(talking.base_url, "GET", "/v2.0/oa/getoa", token=TOKEN)

    assert detail["data"]["user_is_follower"] is True
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", detail["data"]["user_last_interaction_date"])
    assert isinstance(quota["data"]["last_interaction"], int)
    assert oa["data"]["name"] == "Công an phường Buôn Ma Thuột" and oa["data"]["num_follower"] == 1


def test_injected_errors_answer_then_run_out(talking: SimulatorServer) -> None:
    talking.inject("/message/cs", -32, times=2)

    results = [send_text(talking.base_url, TOKEN, USER_ID, "x")["error"] for _ in range(3)]

    assert results == [-32, -32, 0]
    assert len(talking.sent) == 1


def test_injected_http_failures_have_no_zalo_body(talking: SimulatorServer) -> None:
    talking.inject_http("/message/cs", 503)

    status, _answer, _h = call(
        talking.base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=TOKEN,
        body={"recipient": {"user_id": USER_ID}, "message": {"text": "x"}},
    )

    assert status == 503 and talking.sent == []


def test_faults_can_be_injected_over_http_for_the_demo(talking: SimulatorServer) -> None:
    status, _a, _h = call(
        talking.base_url, "POST", "/_sim/inject", body={"path": "/message/cs", "error": -223}
    )

    assert status == 200
    assert send_text(talking.base_url, TOKEN, USER_ID, "x")["error"] == -223


def test_media_downloads_can_fail_on_purpose(talking: SimulatorServer) -> None:
    _s, payload = talking.citizen_send_image(OA_ID, USER_ID, sticker_png("3"))
    url = payload["message"]["attachments"][0]["payload"]["url"]
    talking.inject_http("/media/", 503)

    first, _b, _h = call(url, "GET", "")
    second, body, _h = call(url, "GET", "")

    assert (first, second) == (503, 200) and body.startswith(b"\x89PNG")


def test_unknown_paths_are_404(sim: SimulatorServer) -> None:
    status, _a, _h = call(sim.base_url, "POST", "/v3.0/oa/message/promotion", token=TOKEN, body={})
    assert status == 404

"""POST requests: other systems file tips with an API key, through the same services."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from binhyen.cases.models import Attachment, Case
from binhyen.open311.models import ApiKey
from binhyen.open311.services import api_key_revoke
from binhyen.open311.tests import spec
from binhyen.open311.tests.conftest import request_data
from binhyen.tips.models import Tip
from binhyen.tips.tests.helpers import jpeg_with_gps


def _post(client, data, fmt="json", **extra):
    resp = client.post(f"/open311/v2/requests.{fmt}", data, **extra)
    doc = spec.from_json(resp.content) if fmt == "json" else spec.from_xml(resp.content)[1]
    return resp, doc


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_is_filed_as_a_tip_in_the_communes_inbox(world, client, key, fmt):
    resp, doc = _post(client, request_data(key), fmt)
    assert resp.status_code == 201
    spec.check_posted(doc[0])
    case = Case.objects.get()
    assert doc[0]["service_request_id"] == case.code
    assert case.unit == world.tanan
    assert case.is_anonymous
    assert case.channel_account.provider == "api"
    assert Tip.objects.get().source == Tip.Source.OPEN311
    text = case.messages.get().text
    assert "Có người bán ma túy" in text
    assert "Số người liên quan (ước lượng): 3" in text
    assert "Thời gian: Đang xảy ra" in text


def test_answer_gives_the_citizen_a_tip_code_and_password(world, client, key):
    _resp, doc = _post(client, request_data(key))
    notice = doc[0]["service_notice"]
    code = re.search(r"mã tin báo (TB-[0-9A-Z]{4}-[0-9A-Z]{4})", notice).group(1)
    password = re.search(r"mật khẩu ([0-9A-Z]{5}-[0-9A-Z]{5})", notice).group(1)
    page = client.post("/bao-tin/tra-cuu/", {"code": code, "password": password})
    assert page.status_code == 200
    assert "Có người bán ma túy" in page.content.decode()


def test_named_request_keeps_the_persons_details_in_the_vault_only(world, client, key):
    data = request_data(
        key,
        **{"attribute[anonymous]": "false", "attribute[keep_identity_secret]": "true"},
        first_name="Minh",
        last_name="Phạm",
        email="minh@example.vn",
        phone="0977 555 666",
        device_id="device-abc-123",
        account_id="acct-42",
    )
    resp, doc = _post(client, data)
    assert resp.status_code == 201
    assert "account_id" not in doc[0]
    case = Case.objects.get()
    assert case.secrecy_requested
    assert case.contact.identity.data == {
        "first_name": "Minh",
        "last_name": "Phạm",
        "email": "minh@example.vn",
        "phone": "0977 555 666",
        "device_id": "device-abc-123",
        "account_id": "acct-42",
    }
    assert "0977" not in case.messages.get().text


def test_anonymous_request_with_a_name_is_refused(world, client, key):
    resp, doc = _post(client, request_data(key, first_name="Minh"))
    assert resp.status_code == 400
    spec.check_errors(doc, 400)
    assert not Case.objects.exists()


def test_anonymous_request_drops_device_and_account_ids(world, client, key):
    _post(client, request_data(key, device_id="device-xyz", account_id="acct-1"))
    assert Case.objects.get().contact.identity.data == {}


def test_request_without_a_key_is_refused(world, client):
    resp, doc = _post(client, request_data("o311_wrong"))
    assert resp.status_code == 403
    spec.check_errors(doc, 403)


def test_revoked_key_is_refused(world, client, key):
    api_key_revoke(key=ApiKey.objects.get())
    assert _post(client, request_data(key))[0].status_code == 403


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"service_code": "tip.nope"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "location is required"),
        ({"long": None}, 400, "lat and long"),
        ({"lat": "north"}, 400, "lat"),
        ({"description": None}, 400, "description is required"),
        ({"attribute[anonymous]": None}, 400, "attribute[anonymous] is required"),
        ({"attribute[anonymous]": "maybe"}, 400, "not a listed key"),
        ({"attribute[people_involved]": "many"}, 400, "must be a number"),
        ({"attribute[occurred_at]": "yesterday"}, 400, "ISO 8601"),
        ({"attribute[colour]": "red"}, 400, "not an attribute"),
        ({"media_url": "http://example.com/a.jpg"}, 400, "https"),
    ],
)
def test_invalid_requests_get_a_clear_error(world, client, key, overrides, status, words):
    resp, doc = _post(client, request_data(key, **overrides))
    assert resp.status_code == status
    spec.check_errors(doc, status)
    assert words in doc[0]["description"]
    assert not Case.objects.exists()


def test_timezone_aware_occurred_at_is_accepted(world, client, key):
    resp, _doc = _post(
        client, request_data(key, **{"attribute[occurred_at]": "2026-03-21T20:30:00+07:00"})
    )
    assert resp.status_code == 201
    assert "20:30 21/03/2026" in Case.objects.get().messages.get().text


def test_uploaded_photo_loses_its_gps(world, client, key):
    data = request_data(key)
    data["media"] = SimpleUploadedFile("x.jpg", jpeg_with_gps(artist="Chủ ảnh"), "image/jpeg")
    assert _post(client, data)[0].status_code == 201
    att = Attachment.objects.get()
    with att.file.open("rb") as fh:
        assert "Chủ ảnh".encode() not in fh.read()


def test_media_url_is_fetched_by_the_worker_not_the_request(world, client, key):
    _post(client, request_data(key, media_url="https://cdn.example.com/a.jpg"))
    att = Attachment.objects.get()
    assert att.status == Attachment.Status.PENDING
    assert att.remote_url == "https://cdn.example.com/a.jpg"


def test_question_request_goes_in_with_its_procedure_area(world, client, key):
    data = request_data(
        key,
        service_code="question",
        description="Thủ tục đăng ký tạm trú cần giấy tờ gì?",
        **{
            "attribute[procedure_area]": "residence",
            "attribute[happening_now]": None,
            "attribute[people_involved]": None,
        },
    )
    resp, _doc = _post(client, data)
    assert resp.status_code == 201
    assert "Lĩnh vực thủ tục: Cư trú" in Case.objects.get().messages.get().text


def test_keys_are_rate_limited(world, client, key):
    ApiKey.objects.update(requests_per_hour=2)
    for i in range(2):
        assert (
            _post(client, request_data(key, description=f"tin {i} về ma túy"))[0].status_code == 201
        )
    resp, doc = _post(client, request_data(key, description="tin 3 về ma túy"))
    assert resp.status_code == 429
    spec.check_errors(doc, 429)


def test_wrong_method_is_refused_in_the_spec_format(world, client):
    resp = client.delete("/open311/v2/requests.json")
    assert resp.status_code == 405
    spec.check_errors(spec.from_json(resp.content), 405)

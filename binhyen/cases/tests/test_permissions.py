"""A commune officer sees and answers only their commune; the province sees all."""

from __future__ import annotations

import pytest

from binhyen.accounts.services import api_token_create
from binhyen.cases.models import Attachment, Case, Message
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD


def _case_for(page, text="tin báo", user="u1") -> Case:
    from django.utils import timezone

    message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:{user}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{page.pk}-{user}-{text}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user},
        )
    )
    return Case.objects.filter(channel_account=page).latest("opened_at")


@pytest.fixture
def cases(world):
    return {
        "bmt": _case_for(world.bmt_page, "ở BMT"),
        "tanan": _case_for(world.tanan_page, "ở Tân An"),
        "province": _case_for(world.province_page, "gửi tỉnh"),
    }


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_commune_officer_inbox_lists_only_their_commune(world, cases, client):
    resp = _login(client, world.officer_bmt).get("/tin-bao/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert cases["bmt"].code in body
    assert cases["tanan"].code not in body
    assert cases["province"].code not in body


def test_province_officer_sees_every_unit(world, cases, client):
    body = _login(client, world.province_officer).get("/tin-bao/").content.decode()
    for case in cases.values():
        assert case.code in body


@pytest.mark.parametrize(
    "url",
    ["/tin-bao/{pk}/", "/tin-bao/{pk}/tra-loi/", "/tin-bao/{pk}/dong/", "/tin-bao/{pk}/mo-lai/"],
)
def test_other_commune_case_is_404_by_any_url(world, cases, client, url):
    _login(client, world.officer_bmt)
    target = url.format(pk=cases["tanan"].pk)
    resp = (
        client.post(target, {"text": "xin chào"})
        if "tra-loi" in url or "dong" in url or "mo-lai" in url
        else client.get(target)
    )
    assert resp.status_code == 404
    assert not Message.objects.filter(case=cases["tanan"], direction="out").exists()
    cases["tanan"].refresh_from_db()
    assert cases["tanan"].status == Case.Status.RECEIVED


def test_other_commune_attachment_is_404(world, cases, client):

    msg = cases["tanan"].messages.first()
    att = Attachment.objects.create(message=msg, token="tok123", kind="image", status="stored")
    _login(client, world.officer_bmt)
    assert client.get(f"/tin-bao/tep/{att.token}/").status_code == 404


def test_user_without_membership_sees_nothing(world, cases, client):
    body = _login(client, world.outsider).get("/tin-bao/").content.decode()
    assert "TB-" not in body


def test_anonymous_visitor_is_sent_to_login(cases, client):
    resp = client.get(f"/tin-bao/{cases['bmt'].pk}/")
    assert resp.status_code == 302
    assert "/dang-nhap/" in resp["Location"]


def test_api_hides_other_commune_cases(world, cases, client):
    # The commander: a plain officer lists only their own cases (test_api_reads_audited).
    _row, token = api_token_create(user=world.commander_bmt)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listing = client.get("/api/v1/cases", **auth).json()
    assert [c["code"] for c in listing["items"]] == [cases["bmt"].code]
    assert client.get(f"/api/v1/cases/{cases['tanan'].pk}", **auth).status_code == 404
    resp = client.post(
        f"/api/v1/cases/{cases['tanan'].pk}/replies",
        {"text": "x"},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 404
    assert not Message.objects.filter(case=cases["tanan"], direction="out").exists()


def test_unit_filter_cannot_widen_scope(world, cases, client):
    _row, token = api_token_create(user=world.officer_bmt)
    resp = client.get("/api/v1/cases?unit=24163", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.json()["items"] == []
    body = _login(client, world.officer_bmt).get("/tin-bao/?unit=24163").content.decode()
    assert cases["tanan"].code not in body


def test_inactive_user_loses_access(world, cases, client):
    _row, token = api_token_create(user=world.officer_bmt)
    world.officer_bmt.is_active = False
    world.officer_bmt.save()
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_inbox_query_count_does_not_grow_with_cases(world, client, django_assert_max_num_queries):
    for i in range(30):
        _case_for(world.bmt_page, f"tin {i}", user=f"u{i}")
    _login(client, world.officer_bmt)
    client.get("/tin-bao/")
    with django_assert_max_num_queries(12):
        resp = client.get("/tin-bao/")
    assert resp.status_code == 200

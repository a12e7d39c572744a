"""The REST API: tokens, listing, detail, replying, OpenAPI."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.accounts.services import api_token_create
from binhyen.cases.models import Case, Message
from binhyen.cases.services import IncomingAttachment, IncomingMessage, message_receive


@pytest.fixture
def auth(world):
    # A commander may list the unit's cases over the API (a plain officer only their own).
    _row, token = api_token_create(user=world.commander_bmt)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def case(world):
    now = timezone.now()
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:42",
            contact_kind="zalo_user",
            provider_message_id="p1",
            kind="location",
            text="ở đây",
            sent_at=now,
            identity={"zalo_user_id": "42", "display_name": "Nguyễn Văn Bí Mật"},
            latitude=12.68,
            longitude=108.04,
            attachments=[IncomingAttachment(kind="link", url="https://example.org/x")],
        )
    )
    return Case.objects.get()


def test_openapi_document_is_served(db, client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "BinhYen API"
    assert "/api/v1/cases" in doc["paths"]
    assert "/api/v1/cases/{case_id}/replies" in doc["paths"]


def test_missing_or_wrong_token_is_401(db, client):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer by_nope").status_code == 401
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_list_is_paginated_and_filterable(world, case, client, auth):
    data = client.get("/api/v1/cases?status=received&page=1", **auth).json()
    assert data["count"] == 1
    assert data["items"][0]["code"] == case.code
    assert data["items"][0]["unit"] == {"code": "24133", "name": world.bmt.name}
    assert client.get("/api/v1/cases?status=closed", **auth).json()["count"] == 0
    assert client.get("/api/v1/cases?status=bogus", **auth).status_code == 422


def test_detail_has_messages_location_and_attachments_but_no_identity(case, client, auth):
    resp = client.get(f"/api/v1/cases/{case.pk}", **auth)
    data = resp.json()
    msg = data["messages"][0]
    assert msg["location"] == {"latitude": 12.68, "longitude": 108.04}
    assert msg["attachments"][0]["kind"] == "link"
    assert data["reporter"].startswith("Người báo tin #")
    raw = resp.content.decode()
    assert "Bí Mật" not in raw and '"42"' not in raw


def test_reply_is_queued_once_per_client_token(case, client, auth):
    body = {"text": "Chúng tôi đã tiếp nhận", "client_token": "abc-1"}
    r1 = client.post(
        f"/api/v1/cases/{case.pk}/replies", body, content_type="application/json", **auth
    )
    r2 = client.post(
        f"/api/v1/cases/{case.pk}/replies", body, content_type="application/json", **auth
    )
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] == r2.json()["id"]
    assert r1.json()["delivery"] == "queued"
    assert Message.objects.filter(direction="out").count() == 1


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 2001}, {}, {"text": 5}])
def test_bad_reply_bodies_are_4xx(case, client, auth, body):
    resp = client.post(
        f"/api/v1/cases/{case.pk}/replies", body, content_type="application/json", **auth
    )
    assert 400 <= resp.status_code < 500
    assert Message.objects.filter(direction="out").count() == 0


def test_malformed_json_is_4xx(case, client, auth):
    resp = client.post(
        f"/api/v1/cases/{case.pk}/replies", b"{nope", content_type="application/json", **auth
    )
    assert 400 <= resp.status_code < 500


def test_reply_outside_the_window_is_refused(case, client, auth):
    conv = case.conversation
    conv.last_inbound_at = timezone.now() - timezone.timedelta(days=8)
    conv.save()
    resp = client.post(
        f"/api/v1/cases/{case.pk}/replies",
        {"text": "xin chào"},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 409
    assert "7 ngày" in resp.json()["detail"]


def test_workflow_actions_through_the_api(case, client, auth):
    url = f"/api/v1/cases/{case.pk}/actions"
    r = client.post(
        url,
        {"action": "classify", "intent": "tip", "category": "drugs", "urgency": "high"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["status"] == "classified"
    r = client.post(
        url, {"action": "resume", "reason": "x"}, content_type="application/json", **auth
    )
    assert r.status_code == 409
    r = client.post(url, {"action": "fly"}, content_type="application/json", **auth)
    assert r.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"action": "classify", "intent": "tip", "category": "piracy", "urgency": "high"},
        {"action": "classify", "intent": "tip", "category": "drugs", "urgency": "soon"},
        {"action": "resolve", "outcome": "won"},
        {"action": "extend", "extend_by": "minister", "reason": "x"},
        {"action": "extend", "extend_by": "procuracy", "months": 7, "reason": "x"},
    ],
)
def test_action_values_outside_their_lists_are_422(case, client, auth, body):
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions", body, content_type="application/json", **auth
    )
    assert r.status_code == 422, r.content
    case.refresh_from_db()
    assert case.category == "" and case.status == "received"


def test_resolution_is_extended_from_the_console_and_the_api_alike(world, case, client, auth):
    from binhyen.clocks.models import CaseClock

    url = f"/api/v1/cases/{case.pk}/actions"
    body = {"action": "classify", "intent": "tip", "category": "fraud", "urgency": "normal"}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 200
    first = CaseClock.objects.get(case=case, family="resolve", state="running").due_at

    client.force_login(world.commander_bmt)
    resp = client.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "extend", "extend_by": "unit", "reason": "vụ việc phức tạp"},
    )
    assert resp.status_code == 302
    second = CaseClock.objects.get(case=case, family="resolve", state="running").due_at
    assert second > first

    body = {"action": "extend", "extend_by": "procuracy", "months": 2, "reason": "VKS gia hạn"}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 200
    third = CaseClock.objects.get(case=case, family="resolve", state="running").due_at
    assert third > second


def test_console_form_and_api_offer_the_same_actions():
    from binhyen.cases.api import ActionIn
    from binhyen.cases.forms import ActionForm
    from binhyen.cases.services.actions import ACTIONS

    form_actions = {value for value, _label in ActionForm.base_fields["action"].choices}
    assert form_actions == set(ACTIONS)
    assert ActionIn.model_fields["action"].description == ", ".join(ACTIONS)


def test_api_docs_page_needs_no_other_host(db, client):
    """The docs page works on the force's closed network: every asset it loads is ours."""
    import re

    body = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset

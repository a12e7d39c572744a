"""Officers see a pseudonym; the identity takes a permission, unit visibility and a reason,
and every reveal is recorded."""

from __future__ import annotations

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.tips import services as tips
from binhyen.vault.tests.conftest import grant, grant_through_group, login


def _reveal(client, case, reason="Cần liên hệ người báo tin để xác minh hiện trường"):
    return client.post(f"/bao-mat/vu-viec/{case.pk}/danh-tinh/", {"reason": reason})


def test_officer_sees_the_pseudonym_not_the_identity(world, bmt_case, client):
    body = login(client, world.officer_bmt).get(f"/tin-bao/{bmt_case.pk}/").content.decode()
    assert bmt_case.contact.pseudonym in body
    assert "Lê Văn Tố" not in body and "0912000111" not in body
    assert "4455667788990011223" not in body
    assert "Xem danh tính (ghi nhật ký)" not in body  # no permission, no form


def test_reveal_without_the_permission_is_refused_and_shows_nothing(world, bmt_case, client):
    resp = _reveal(login(client, world.officer_bmt), bmt_case)
    assert resp.status_code == 302
    assert "Lê Văn Tố" not in client.get(resp["Location"]).content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.IDENTITY_REVEAL).exists()


def test_reveal_needs_a_stated_reason(world, bmt_case, client):
    grant(world.officer_bmt, "reveal_identity")
    resp = _reveal(login(client, world.officer_bmt), bmt_case, reason="xem")
    assert resp.status_code == 302
    assert "Cần ghi rõ lý do" in client.get(resp["Location"]).content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.IDENTITY_REVEAL).exists()


def test_reveal_shows_the_identity_and_records_who_why_and_when(world, bmt_case, client):
    grant(world.officer_bmt, "reveal_identity")
    resp = _reveal(login(client, world.officer_bmt), bmt_case)
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Lê Văn Tố" in body and "0912000111" in body
    assert "no-store" in resp["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.IDENTITY_REVEAL)
    assert entry.actor == world.officer_bmt
    assert entry.target_id == str(bmt_case.pk)
    assert entry.target_unit == world.bmt
    assert entry.details["reason"] == "Cần liên hệ người báo tin để xác minh hiện trường"
    assert entry.details["case_code"] == bmt_case.code
    assert "Lê Văn Tố" not in str(entry.details) + entry.summary
    event = bmt_case.events.get(kind="identity_revealed")
    assert event.actor == world.officer_bmt and "xác minh hiện trường" in event.text


def test_permission_granted_through_a_group_works(world, bmt_case, client):
    grant_through_group(world.commander_bmt, "reveal_identity")
    body = login(client, world.commander_bmt).get(f"/tin-bao/{bmt_case.pk}/").content.decode()
    assert "Xem danh tính (ghi nhật ký)" in body
    assert "Lê Văn Tố" in _reveal(client, bmt_case).content.decode()


def test_permission_does_not_reach_cases_of_other_units(world, bmt_case, client):
    grant(world.officer_tanan, "reveal_identity")
    resp = _reveal(login(client, world.officer_tanan), bmt_case)
    assert resp.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.IDENTITY_REVEAL).exists()


def test_every_reveal_is_recorded_again(world, bmt_case, client):
    grant(world.officer_bmt, "reveal_identity")
    login(client, world.officer_bmt)
    _reveal(client, bmt_case)
    _reveal(client, bmt_case, reason="Gọi lại người báo tin lần hai để hỏi thêm")
    assert AuditEntry.objects.filter(action=AuditAction.IDENTITY_REVEAL).count() == 2


def test_reveal_of_an_anonymous_web_tip_says_there_is_nothing_to_show(world, client):

    web = tips.web_form_connect(unit=world.province)
    receipt = tips.tip_submit(
        channel_account=web, report=tips.TipReport(text="Có đánh bạc", place="24133")
    )
    grant(world.officer_bmt, "reveal_identity")
    body = login(client, world.officer_bmt).get(f"/tin-bao/{receipt.tip.case.pk}/").content.decode()
    assert "Không có thông tin danh tính trong kho." in body

"""The CSV export of a unit's cases: permission-checked, audited, no identity data."""

from __future__ import annotations

import csv
import io

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.units.services import unit_upsert
from binhyen.vault import services
from binhyen.vault.tests.conftest import login, zalo_case


def _rows(resp) -> list[dict[str, str]]:
    text = resp.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_commander_exports_the_units_cases_without_identity_data(world, bmt_case, client):
    services.case_protection_set(case=bmt_case, actor=None, secrecy=True)
    resp = login(client, world.commander_bmt).get("/bao-mat/xuat/vu-viec.csv?unit=24133")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/csv")
    assert "attachment" in resp["Content-Disposition"]
    rows = _rows(resp)
    assert [r["Mã tin"] for r in rows] == [bmt_case.code]
    assert rows[0]["Được bảo vệ"] == "Có" and rows[0]["Yêu cầu giữ bí mật"] == "Có"
    assert rows[0]["Trạng thái"] == "Mới tiếp nhận" and rows[0]["Kênh"] == "Zalo OA"
    assert rows[0]["Tiếp nhận lúc"].endswith("+07:00")
    body = resp.content.decode("utf-8-sig")
    for secret in ("Lê Văn Tố", "0912000111", "4455667788990011223", "trộm xe máy"):
        assert secret not in body


def test_export_is_recorded(world, bmt_case, client):
    login(client, world.commander_bmt).get("/bao-mat/xuat/vu-viec.csv?unit=24133")
    entry = AuditEntry.objects.get(action=AuditAction.CASE_EXPORT)
    assert entry.actor == world.commander_bmt
    assert entry.details["rows"] == 1 and entry.details["unit_code"] == "24133"


def test_officer_without_a_command_role_cannot_export(world, bmt_case, client):
    resp = login(client, world.officer_bmt).get("/bao-mat/xuat/vu-viec.csv?unit=24133")
    assert resp.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.CASE_EXPORT).exists()


def test_unit_outside_ones_subtree_cannot_be_exported(world, bmt_case, client):
    resp = login(client, world.commander_bmt).get("/bao-mat/xuat/vu-viec.csv?unit=24163")
    assert resp.status_code == 404


def test_cells_never_start_a_spreadsheet_formula(world, client):

    unit_upsert(code="24133", name='=HYPERLINK("http://x")', kind="commune", parent=world.province)
    zalo_case(world.bmt_page)
    body = login(client, world.commander_bmt).get("/bao-mat/xuat/vu-viec.csv?unit=24133")
    assert "'=HYPERLINK" in body.content.decode("utf-8-sig")

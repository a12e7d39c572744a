"""The generated access matrix: every role × where the object lies × object type × verb,
through pages, the API, file downloads, exports, the admin and the live channel.

A user holds one role in the commune of Buôn Ma Thuột. Objects lie in that commune (own),
in Tân An (sibling commune), in the province itself (parent) and in a commune of another
province. The expectation for each cell is computed from the role table
(`accounts.access.ROLE_CAPS`) and the subtree rule, never written by hand; every refused
HTTP attempt must be answered 404 (outside what the role may read) or 403 (readable, but
beyond the role) and leave exactly one `access.denied` audit entry. Live events are filtered
at delivery (no request to refuse); the matrix checks who receives them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from binhyen.accounts.access import ROLE_CAPS, Cap
from binhyen.accounts.models import Role, User
from binhyen.accounts.services import api_token_create, staff_upsert
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.cases.models import Attachment, Case
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.channels.services import zalo_page_connect
from binhyen.live.auth import audience_for_session
from binhyen.testing import PASSWORD
from binhyen.tips.services import TipReport, tip_submit, web_form_connect
from binhyen.units.models import Unit
from binhyen.units.services import unit_upsert

PLACES = ("own", "sibling", "parent", "other_province")
ROLES = [str(r) for r in Role]


@dataclass
class Placed:
    unit: Unit
    case: Case
    attachment: Attachment
    tip_id: int
    staff: User


def _place(world, unit: Unit, page, n: int) -> Placed:
    message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:m{n}",
            contact_kind="zalo_user",
            provider_message_id=f"matrix-{n}",
            kind="text",
            text=f"tin báo số {n}",
            sent_at=timezone.now(),
            identity={"zalo_user_id": f"m{n}"},
        )
    )
    case = Case.objects.filter(channel_account=page).latest("opened_at")
    att = Attachment.objects.create(
        message=case.messages.get(),
        token=f"matrix{n}".ljust(32, "x"),
        kind="file",
        name="bien-ban.pdf",
        content_type="application/pdf",
    )
    att.file.save("bien-ban.pdf", ContentFile(b"%PDF-1.4 matrix"))
    tip = tip_submit(
        channel_account=web_form_connect(unit=unit),
        report=TipReport(text=f"tin giữ lại {n}"),
        hold_reasons=["links"],
    ).tip
    staff = staff_upsert(
        username=f"staff.{unit.code}",
        password=PASSWORD,
        full_name=f"Staff {unit.code}",
        memberships=[(unit, Role.OFFICER)],
    )
    return Placed(unit=unit, case=case, attachment=att, tip_id=tip.pk, staff=staff)


@pytest.fixture
def places(world) -> dict[str, Placed]:
    other = unit_upsert(
        code="54", name="Công an tỉnh Phú Yên (cũ)", kind=Unit.Kind.PROVINCE, parent=None
    )
    far = unit_upsert(
        code="22015", name="Công an phường Tuy Hòa", kind=Unit.Kind.COMMUNE, parent=other
    )
    far_page, _ = zalo_page_connect(
        unit=far,
        oa_id="2345678901234522015",
        app_id="1234567890123456789",
        oa_secret_key="oa-secret-22015",
        app_secret_key="app-secret",
    )
    return {
        "own": _place(world, world.bmt, world.bmt_page, 1),
        "sibling": _place(world, world.tanan, world.tanan_page, 2),
        "parent": _place(world, world.province, world.province_page, 3),
        "other_province": _place(world, far, far_page, 4),
    }


def _may(role: str, place: str, cap: Cap) -> bool:
    """The subtree rule and the role table: a role at the commune reaches only the commune."""
    return place == "own" and cap in ROLE_CAPS[role]


def _expected(role: str, place: str, read: Cap, need: Cap) -> int:
    """200 when allowed; 404 when the role may not even `read` the object there; 403 when it
    may read it but not do `need` to it."""
    if not _may(role, place, read):
        return 404
    return 200 if _may(role, place, need) else 403


def _admin_expected(role: str, place: str, cap: Cap) -> int:
    """The admin opens a screen by capability anywhere (403 without it), then scopes rows."""
    if cap not in ROLE_CAPS[role]:
        return 403
    return 200 if place == "own" else 404


@pytest.mark.slow  # 308 cells, ~30 s
@pytest.mark.django_db
def test_access_matrix(world, places, record_property) -> None:
    cells: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    failures: list[str] = []

    def check(label: str, got: int, want: int) -> None:
        cells["total"] += 1
        if want != 200:
            refusals[str(want)] += 1
        if got != want:
            failures.append(f"{label}: got {got}, want {want}")

    for role in ROLES:
        user = staff_upsert(
            username=f"matrix.{role}",
            password=PASSWORD,
            full_name=f"Matrix {role}",
            memberships=[(world.bmt, role)],
        )
        User.objects.filter(pk=user.pk).update(is_staff=True)  # the admin decides by role
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        _row, token = api_token_create(user=user)
        api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        audience = audience_for_session(client.session.session_key)
        listed = {
            c["id"] for c in client.get("/api/v1/cases?page=1", **api).json().get("items", [])
        }

        for place in PLACES:
            p = places[place]
            case = p.case
            attempts = [
                # (what, method, url, data, headers, expected status)
                ("page.case.read", "get", f"/tin-bao/{case.pk}/", None, {},
                 _expected(role, place, Cap.CASE_READ, Cap.CASE_READ)),
                ("page.case.work", "post", f"/tin-bao/{case.pk}/tra-loi/", {"text": "Đã nhận"}, {},
                 _expected(role, place, Cap.CASE_READ, Cap.CASE_WORK)),
                ("api.case.read", "get", f"/api/v1/cases/{case.pk}", None, api,
                 _expected(role, place, Cap.CASE_READ, Cap.CASE_READ)),
                ("api.case.work", "post_json", f"/api/v1/cases/{case.pk}/replies",
                 {"text": "Đã tiếp nhận"}, api,
                 _expected(role, place, Cap.CASE_READ, Cap.CASE_WORK)),
                ("file.attachment.read", "get", f"/tin-bao/tep/{p.attachment.token}/", None, {},
                 _expected(role, place, Cap.CASE_READ, Cap.CASE_READ)),
                ("page.held_tip.work", "post", f"/tin-giu-lai/{p.tip_id}/loai/", {"note": "x"},
                 {}, _expected(role, place, Cap.CASE_READ, Cap.CASE_WORK)),
                ("export.unit.csv", "get", f"/bao-mat/xuat/vu-viec.csv?unit={p.unit.code}",
                 None, {}, _expected(role, place, Cap.CASE_READ, Cap.CASE_EXPORT)),
                ("admin.case.read", "get", f"/quan-tri/cases/case/{case.pk}/change/", None, {},
                 _admin_expected(role, place, Cap.CASE_READ)),
                ("admin.staff.read", "get", f"/quan-tri/accounts/user/{p.staff.pk}/change/",
                 None, {}, _admin_expected(role, place, Cap.ACCOUNTS_MANAGE)),
            ]  # fmt: skip
            for what, method, url, data, headers, want in attempts:
                before = AuditEntry.objects.filter(
                    action=AuditAction.ACCESS_DENIED, actor_id=user.pk
                ).count()
                if method == "get":
                    resp = client.get(url, **headers)
                elif method == "post_json":
                    resp = client.post(url, data, content_type="application/json", **headers)
                else:
                    resp = client.post(url, data, **headers)
                got = resp.status_code
                if got in (201, 302) and want == 200:  # created, or redirected back
                    got = 200
                label = f"{role} × {place} × {what}"
                check(label, got, want)
                logged = (
                    AuditEntry.objects.filter(
                        action=AuditAction.ACCESS_DENIED, actor_id=user.pk
                    ).count()
                    - before
                )
                if want != 200 and logged != 1:
                    failures.append(f"{label}: refused but {logged} access.denied entries")
                if want == 200 and logged:
                    failures.append(f"{label}: allowed but recorded as refused")

            # Bulk reads over the API: the subtree only for roles with case.bulk_read.
            check(
                f"{role} × {place} × api.case.list",
                200 if case.pk in listed else 404,
                200 if _may(role, place, Cap.CASE_BULK_READ) else 404,
            )
            # The live channel: an event about the object's unit reaches only readers there.
            sees = audience is not None and audience.sees(p.unit.path, None)
            check(
                f"{role} × {place} × live.case_event",
                200 if sees else 404,
                200 if _may(role, place, Cap.CASE_READ) else 404,
            )

    summary = (
        f"access matrix: {len(ROLES)} roles × {len(PLACES)} places × 11 checks "
        f"= {cells['total']} cells; refused {refusals['404']} with 404 and "
        f"{refusals['403']} with 403; allowed {cells['total'] - sum(refusals.values())}"
    )
    print(summary)
    record_property("access_matrix", summary)
    assert not failures, "\n".join(failures)

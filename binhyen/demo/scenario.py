"""The kindergarten night, replayed: the pilot's best outcome as a repeatable demo.

Late at night a citizen messages the PROVINCE page: armed youths gathering near a
kindergarten in old "phường Tân Lợi". BinhYen routes it to Công an phường Buôn Ma Thuột,
rings the commune's and the duty desk's screens, an officer acknowledges, a team is
dispatched, 21 people are detained, the citizen is informed and the case resolved — every
step a timestamp, every step through the same services the console uses.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.cases import services as cases
from binhyen.cases.models import Case, Outcome
from binhyen.cases.models.case import Category, Intent, Urgency
from binhyen.channels.models import ChannelAccount
from binhyen.duty.services import alert_acknowledge
from binhyen.lib import http
from binhyen.lib.words import elapsed_vi
from binhyen.units.models import Unit

TIP_TEXT = (
    "KHẨN CẤP!!! Có khoảng 20 thanh niên, học sinh mang theo dao, mã tấu đang tụ tập ở khu "
    "đất trống gần trường mầm non Hello Kitty đường Hà Huy Tập, phường Tân Lợi cũ (TP BMT), "
    "hình như chuẩn bị đánh nhau. Công an tới ngay giúp em!"
)
PERSONA = "nguoi-dan-ha-huy-tap"


def _send_via_simulator(simulator_url: str, oa_id: str) -> None:

    resp = http.request(
        "POST",
        simulator_url.rstrip("/") + "/_sim/api/send",
        json={
            "oa_id": oa_id,
            "persona": PERSONA,
            "display_name": "Người dân",
            "kind": "text",
            "text": TIP_TEXT,
        },
    )
    answer = resp.json()
    if answer.get("webhook_status") != 200:
        raise RuntimeError(f"the webhook answered {answer.get('webhook_status')}")


def _send_in_process(page: ChannelAccount) -> None:
    cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=page,
            contact_key=f"user:scenario-{secrets.token_hex(4)}",
            contact_kind="zalo_user",
            provider_message_id=secrets.token_hex(10),
            kind="text",
            text=TIP_TEXT,
            sent_at=timezone.now(),
            identity={"zalo_user_id": "scenario"},
        )
    )


def _wait_for_case(since: datetime, timeout: float, drain: Callable[[], int] | None) -> Case:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if drain is not None:
            drain()
        case = (
            Case.objects.filter(
                opened_at__gte=since, summary__startswith="KHẨN CẤP!!! Có khoảng 20 thanh niên"
            )
            .order_by("-opened_at")
            .first()
        )
        if case is not None and (case.unit.code == "24133" or drain is not None):
            return case
        time.sleep(0.3)
    raise RuntimeError("the tip did not reach a case in time: is `binhyen serve` running?")


def _label(choices: type[Category] | type[Intent] | type[Urgency], code: str) -> str:
    """A code as the console shows it ("Trật tự công cộng", not "public_order")."""
    return str(dict(choices.choices).get(code, code or "—"))


def replay(
    *,
    simulator_url: str | None,
    pause: float,
    out: Callable[[str], None],
    drain: Callable[[], int] | None = None,
) -> Case:
    province_page = ChannelAccount.objects.get(unit__code="66", provider="zalo")
    commune = Unit.objects.get(code="24133")
    officer = User.objects.get(username="canbo.bmt")
    commander = User.objects.get(username="chihuy.bmt")
    since = timezone.now() - timedelta(seconds=2)

    def step(text: str) -> None:
        out(f"[{timezone.localtime():%H:%M:%S}] {text}")
        if pause:
            time.sleep(pause)

    out("Người dân nhắn trang Zalo Công an tỉnh (tin khẩn, địa danh cũ “phường Tân Lợi”).")
    if simulator_url:
        _send_via_simulator(simulator_url, province_page.external_id)
    else:
        with transaction.atomic():
            _send_in_process(province_page)
    case = _wait_for_case(since, 60, drain)
    case.refresh_from_db()
    step(
        f"Tiếp nhận {case.code}; phân tích: {_label(Intent, case.intent)}, "
        f"{_label(Category, case.category)}, mức khẩn: {_label(Urgency, case.urgency)}; "
        f"chuyển về {case.unit.name}; chuông báo tại xã và trực ban tỉnh."
    )

    alert = case.alerts.filter(acknowledged_at__isnull=True).first()
    if alert is not None:
        alert_acknowledge(alert=alert, actor=officer)
    else:
        cases.case_claim(case=case, actor=officer)
    step(f"{officer} bấm “Đã nhận” — chuông tắt trên mọi màn hình.")

    cases.case_classify(
        case=case,
        actor=officer,
        intent="tip",
        category="public_order",
        urgency="critical",
        reason="xác nhận phân tích tự động",
    )
    dispatch = cases.dispatch_create(
        case=case, actor=commander, team="Tổ cơ động 113 và Công an phường Buôn Ma Thuột"
    )
    step("Phân loại tin báo (gửi thông báo tiếp nhận cho người dân); điều động tổ công tác.")
    cases.dispatch_mark(dispatch=dispatch, actor=officer, stage="en_route")
    step("Tổ công tác xuất phát.")
    cases.case_start_verification(case=case, actor=officer)
    cases.dispatch_mark(dispatch=dispatch, actor=officer, stage="on_scene")
    step("Có mặt tại hiện trường, vây ráp.")
    cases.outcome_record(
        case=case,
        actor=commander,
        people_detained=21,
        vehicles_seized=7,
        items_seized=[{"name": "dao rựa, mã tấu", "count": 4}],
        summary="Bắt giữ 21 đối tượng tụ tập chuẩn bị đánh nhau.",
    )
    cases.dispatch_mark(dispatch=dispatch, actor=officer, stage="cleared")
    if case.conversation is not None and case.conversation.reply_window() != "closed":
        cases.case_reply(
            case=case,
            author=officer,
            text=(
                "Công an phường Buôn Ma Thuột đã có mặt, bắt giữ 21 đối tượng. Cảm ơn bạn đã kịp "
                "thời báo tin; danh tính của bạn được giữ bí mật."
            ),
        )
    step("Ghi kết quả: 21 người, 7 xe máy, 4 dao rựa, mã tấu; nhắn cảm ơn người dân.")
    cases.case_resolve(
        case=case,
        actor=commander,
        outcome=Outcome.PROSECUTION_PROPOSED,
        note="Chuyển hồ sơ đề nghị khởi tố tội gây rối trật tự công cộng.",
    )
    case.refresh_from_db()
    times = cases.derived_times(case)
    out(
        f"Kết thúc {case.code} tại {case.unit.name}: {case.get_outcome_display()}. "
        f"Nhận xử lý sau {elapsed_vi(times['acknowledge'])}, "
        f"có mặt sau {elapsed_vi(times['arrival'])}."
    )
    if commune.pk != case.unit_id:
        out("Lưu ý: tin chưa được chuyển tự động về phường (phân tích địa danh chưa bật?).")
    return case

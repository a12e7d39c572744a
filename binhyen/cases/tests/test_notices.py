"""Automatic messages keep the citizen informed, within what the channel allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.models import Case, CaseEvent, Message, NoticeTemplate, Outcome
from binhyen.cases.services.notices import notice_send
from binhyen.testing import citizen_says


@pytest.fixture
def case(world):
    return citizen_says(world.bmt_page, "có trộm", message_id="n1")


def _notices(case):
    return list(Message.objects.filter(case=case, direction="out").values_list("text", flat=True))


def test_classifying_a_tip_sends_the_receipt_notice_with_the_code(world, case):
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="theft_robbery", urgency="normal"
    )
    [text] = _notices(case)
    assert text.startswith("THÔNG BÁO TIẾP NHẬN") and case.code in text
    assert world.bmt.name in text
    # "the tip you provided", never "your crime".
    assert "tội phạm do bạn cung cấp" in text and "tội phạm của bạn" not in text


def test_a_database_seeded_with_the_old_receipt_wording_is_reworded(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("binhyen.cases.migrations.0005_receipt_notice_wording")
    row = NoticeTemplate.objects.get(code="receipt_notice")
    row.text = row.text.replace(migration.NEW, migration.OLD)
    row.save()
    custom = NoticeTemplate.objects.create(
        code="x_custom", description="x", text="tội phạm của bạn lúc (riêng)"
    )
    migration.reword(apps, None)
    row.refresh_from_db()
    custom.refresh_from_db()
    assert migration.NEW in row.text and migration.OLD not in row.text
    assert custom.text == "tội phạm của bạn lúc (riêng)"


def test_notices_are_sent_once(world, case):
    notice_send(case=case, code="ack_tip")
    notice_send(case=case, code="ack_tip")
    assert len(_notices(case)) == 1


def test_result_is_sent_when_the_tip_is_decided(world, case):
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="theft_robbery", urgency="normal"
    )
    services.case_start_verification(case=case, actor=world.officer_bmt)
    services.case_resolve(
        case=case, actor=world.officer_bmt, outcome=Outcome.ADMINISTRATIVE_HANDLED
    )
    [result] = [t for t in _notices(case) if t.startswith("THÔNG BÁO KẾT QUẢ")]
    assert "xử lý vi phạm hành chính" in result


def test_anonymous_tipsters_get_no_legal_notice(world, case):
    Case.objects.filter(pk=case.pk).update(is_anonymous=True)
    case.refresh_from_db()
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="drugs", urgency="normal"
    )
    assert _notices(case) == []


def test_closed_window_is_flagged_for_the_officer_instead(world, case):
    conv = case.conversation
    conv.last_inbound_at = timezone.now() - timedelta(days=8)
    conv.save()
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="drugs", urgency="normal"
    )
    assert _notices(case) == []
    blocked = CaseEvent.objects.get(case=case, kind="notice_blocked")
    assert "Chưa gửi được" in blocked.text


def test_administrators_edit_the_wording(world, case):
    NoticeTemplate.objects.filter(code="ack_tip").update(text="Đã nhận {code} tại {unit}.")
    notice_send(case=case, code="ack_tip")
    assert _notices(case) == [f"Đã nhận {case.code} tại {world.bmt.name}."]


def test_a_broken_template_falls_back_to_the_default(world, case):
    NoticeTemplate.objects.filter(code="ack_tip").update(text="Đã nhận {nope}")
    notice_send(case=case, code="ack_tip")
    assert "113" in _notices(case)[0]


def test_a_disabled_template_sends_nothing(world, case):
    NoticeTemplate.objects.filter(code="ack_tip").update(is_active=False)
    assert notice_send(case=case, code="ack_tip") is None

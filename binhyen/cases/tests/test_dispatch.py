"""Dispatch with CAD timestamps, outcome recording, derived times."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.models import Case, CaseEvent
from binhyen.cases.services import CaseError
from binhyen.testing import PASSWORD


@pytest.fixture
def tip(world):
    case = services.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="đánh nhau",
        at=timezone.now(),
    )
    services.case_classify(
        case=case,
        actor=world.officer_bmt,
        intent="tip",
        category="public_order",
        urgency="critical",
    )
    return case


def test_dispatch_timestamps_give_response_travel_and_on_scene_times(world, tip):
    t0 = tip.opened_at
    with time_machine.travel(t0 + timedelta(minutes=2), tick=False):
        d = services.dispatch_create(case=tip, actor=world.officer_bmt, team="Tổ 113 số 2")
    services.dispatch_mark(
        dispatch=d, actor=world.officer_bmt, stage="en_route", at=t0 + timedelta(minutes=3)
    )
    services.dispatch_mark(
        dispatch=d, actor=world.officer_bmt, stage="on_scene", at=t0 + timedelta(minutes=11)
    )
    services.dispatch_mark(
        dispatch=d, actor=world.officer_bmt, stage="cleared", at=t0 + timedelta(minutes=71)
    )
    times = services.derived_times(Case.objects.get(pk=tip.pk))
    assert times["dispatch"] == 120
    assert times["travel"] == 8 * 60
    assert times["arrival"] == 11 * 60
    assert times["on_scene"] == 60 * 60
    kinds = list(CaseEvent.objects.filter(case=tip).values_list("kind", flat=True))
    assert [k for k in kinds if k.startswith("dispatch")] == [
        "dispatched",
        "dispatch_en_route",
        "dispatch_on_scene",
        "dispatch_cleared",
    ]


def test_a_cad_stage_is_recorded_once_and_in_order(world, tip):
    d = services.dispatch_create(case=tip, actor=world.officer_bmt, team="Tổ 1")
    services.dispatch_mark(
        dispatch=d,
        actor=world.officer_bmt,
        stage="on_scene",
        at=d.dispatched_at + timedelta(minutes=5),
    )
    with pytest.raises(CaseError):
        services.dispatch_mark(dispatch=d, actor=world.officer_bmt, stage="on_scene")
    with pytest.raises(CaseError):
        services.dispatch_mark(
            dispatch=d,
            actor=world.officer_bmt,
            stage="cleared",
            at=d.dispatched_at + timedelta(minutes=1),
        )
    with pytest.raises(CaseError):
        services.dispatch_mark(dispatch=d, actor=world.officer_bmt, stage="teleported")


def test_only_open_tips_can_be_dispatched(world, tip):
    services.case_classify(case=tip, actor=world.officer_bmt, intent="question")
    with pytest.raises(CaseError):
        services.dispatch_create(case=tip, actor=world.officer_bmt, team="Tổ 1")


def test_outcome_headline_reads_like_the_pilot_report(world, tip):
    result = services.outcome_record(
        case=tip,
        actor=world.officer_bmt,
        people_detained=21,
        vehicles_seized=7,
        items_seized=[{"name": "dao", "count": 4}, {"name": "", "count": 3}],
    )
    assert result.headline() == "21 người, 7 phương tiện, 4 dao"
    again = services.outcome_record(case=tip, actor=world.officer_bmt, people_detained=22)
    assert again.pk == result.pk and again.people_detained == 22


@pytest.mark.parametrize(
    "bad", [{"people_detained": -1}, {"items_seized": [{"name": "dao", "count": "x"}]}]
)
def test_bad_outcome_values_are_refused(world, tip, bad):
    with pytest.raises(CaseError):
        services.outcome_record(case=tip, actor=world.officer_bmt, **bad)


def test_dispatch_and_outcome_from_the_console(world, tip, client):
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    client.post(f"/tin-bao/{tip.pk}/dieu-dong/", {"team": "Tổ cơ động"})
    d = tip.dispatches.get()
    client.post(f"/tin-bao/{tip.pk}/dieu-dong/", {"dispatch": d.pk, "stage": "on_scene"})
    client.post(
        f"/tin-bao/{tip.pk}/ket-qua/",
        {"people_detained": "21", "vehicles_seized": "7", "items": "4 dao\nmã tấu"},
    )
    d.refresh_from_db()
    assert d.on_scene_at is not None
    assert tip.result.headline() == "21 người, 7 phương tiện, 4 dao, 1 mã tấu"
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert "Tổ cơ động" in page and "21 người" in page


def test_times_read_in_words_not_seconds(world, tip, client):
    """Officers read "Nhận xử lý sau 3 phút 9 giây", not "189 s"."""
    with time_machine.travel(tip.opened_at + timedelta(seconds=189), tick=False):
        services.dispatch_create(case=tip, actor=world.officer_bmt, team="Tổ 113")
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert "3 phút 9 giây" in page
    assert " s</dd>" not in page and "189" not in page


def test_deadlines_cite_the_law_without_a_review_note(world, tip, client):
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert "BLTTHS 2015" in page
    assert "pháp chế" not in page

"""The score, the flags, the league page, permissions, reminders and award nominations."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.channels.models import ChannelAccount
from binhyen.monitoring import scoring
from binhyen.monitoring.kpis import Figures
from binhyen.monitoring.models import AwardNomination, Reminder, ScoreSettings
from binhyen.monitoring.periods import parse_period
from binhyen.monitoring.tests.history import build, vn
from binhyen.testing import PASSWORD

W47 = "2026-W47"
WEIGHTS = {c.key: c.default_weight for c in scoring.COMPONENTS}


def _fig(**counts: int) -> Figures:
    return Figures(counts=Counter({k.replace("__", "."): v for k, v in counts.items()}))


FULL = dict(
    clock__operational__due=4,
    clock__operational__in_time=3,
    clock__legal__due=2,
    clock__legal__in_time=2,
    answer__done=3,
    answer__pending=1,
    open_end=4,
    overdue_end=1,
    satisfaction__answered=2,
    satisfaction__sum=9,
)


def test_score_is_the_weighted_mean_of_the_shares():
    # 100 × (30×0.75 + 30×1 + 20×0.75 + 10×0.75 + 10×0.875) / 100
    assert scoring.score(_fig(**FULL), WEIGHTS) == pytest.approx(83.75)


def test_a_share_without_data_is_left_out_and_the_weights_renormalised():
    no_survey = {k: v for k, v in FULL.items() if not k.startswith("satisfaction")}
    # (22.5 + 30 + 15 + 7.5) / 90 × 100
    assert scoring.score(_fig(**no_survey), WEIGHTS) == pytest.approx(83.333, abs=0.001)
    assert scoring.score(Figures(), WEIGHTS) is None


def test_weights_come_from_the_settings_and_show_in_the_formula(db):
    ScoreSettings.objects.create(weights={"ack_in_time": 50, "satisfaction": 0})
    weights, _ = scoring.current_settings()
    assert weights["ack_in_time"] == 50
    assert scoring.formula_text(weights).startswith("Điểm = 100 × (50×A + 30×B")
    # 100 × (50×0.75 + 30×1 + 20×0.75 + 10×0.75) / 110
    assert scoring.score(_fig(**FULL), weights) == pytest.approx(9000 / 110)


THRESHOLDS = dict(scoring.DEFAULT_THRESHOLDS)


def test_flags_say_why_in_words():
    fig = _fig(
        classify_overdue_end=3,
        overdue_end=5,
        clock__operational__due=10,
        clock__operational__in_time=6,
    )
    flags = scoring.flags_for(
        fig, score_value=55, earlier=[Figures()], thresholds=THRESHOLDS, inactive=True
    )
    assert flags == [
        "3 tin quá hạn phân loại",
        "5 vụ việc quá hạn xử lý",
        "trang Zalo không hoạt động 7 ngày",
        "chỉ 60% tin được nhận xử lý đúng hạn",
        "điểm 55 dưới ngưỡng 60",
    ]


def test_no_question_answered_in_two_weeks_is_flagged_only_with_two_weeks_of_figures():
    asked = _fig(received__intent__question=2, answer__question__pending=2)
    quiet = _fig(received__intent__question=1, answer__question__pending=1)
    flag = "không trả lời câu hỏi nào trong 2 tuần"
    kw = dict(score_value=None, thresholds=THRESHOLDS, inactive=False)
    assert flag in scoring.flags_for(asked, earlier=[quiet], **kw)
    assert flag not in scoring.flags_for(asked, earlier=[], **kw)
    answered = _fig(received__intent__question=1, answer__question__done=1)
    assert flag not in scoring.flags_for(asked, earlier=[answered], **kw)


def test_a_page_with_nothing_for_seven_days_is_inactive(world):
    build(world)
    ChannelAccount.objects.update(connected_at=vn(1, 0))
    units = [world.province, world.bmt, world.tanan]
    # Since Mon 23 00:00 BMT sent A's result and Tân An replied to B; the province's page
    # last saw E on Wednesday 18.
    assert scoring.inactive_pages(units, vn(30, 0), 7) == {world.province.pk}


@pytest.fixture
def command(world):
    return staff_upsert(
        username="lanhdao",
        password=PASSWORD,
        full_name="Lãnh đạo",
        memberships=[(world.province, Role.COMMAND)],
    )


@pytest.fixture
def history(world):
    return build(world)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_league_ranks_communes_and_flags_tan_an(world, history, command, client):
    _login(client, command)
    resp = client.get("/giam-sat/", {"ky": W47})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Công an phường Buôn Ma Thuột" in body and "Công an phường Tân An" in body
    assert "1 tin quá hạn phân loại" in body
    assert "Điểm = 100 × (30×A + 30×B + 20×C + 10×D + 10×E)" in body
    ScoreSettings.objects.create(thresholds={"min_due": 0})
    league = scoring.league(parse_period(W47), vn(1, 0, month=12), kind="commune")
    assert [r.rank for r in league.rows] == [1, 2]
    assert league.rows[1].unit == world.tanan


def test_a_unit_with_too_few_deadlines_is_not_scored(world, history):
    # Tân An had two deadlines fall due in W47 (E's acknowledgement and classification).
    league = scoring.league(parse_period(W47), vn(1, 0, month=12), kind="commune")
    tanan = next(r for r in league.rows if r.unit == world.tanan)
    assert tanan.score is None and tanan.rank is None
    assert "1 tin quá hạn phân loại" in tanan.flags


def test_a_commune_sees_only_its_own_subtree(world, history, client):
    _login(client, world.officer_tanan)
    body = client.get("/giam-sat/", {"ky": W47}).content.decode()
    assert "Công an phường Tân An" in body
    assert "Công an phường Buôn Ma Thuột" not in body
    assert client.get("/giam-sat/don-vi/24133/", {"ky": W47}).status_code == 404
    other = client.get("/giam-sat/don-vi/24133/so-lieu/", {"ky": W47, "chi-so": "received"})
    assert other.status_code == 404
    own = client.get("/giam-sat/don-vi/24163/so-lieu/", {"ky": W47, "chi-so": "received"})
    assert own.status_code == 200
    assert history.b.code in own.content.decode()


def test_cases_behind_a_figure_never_show_who_reported(world, history, command, client):
    _login(client, command)
    resp = client.get("/giam-sat/don-vi/24133/so-lieu/", {"ky": W47, "chi-so": "received"})
    body = resp.content.decode()
    for case in (history.a, history.d, history.f, history.g):
        assert case.code in body
    for case in (history.a, history.g):
        assert case.contact.pseudonym not in body
        assert case.summary not in body


@pytest.mark.parametrize(
    "params",
    [{"ky": "2026-W99"}, {"ky": "tuần trước"}, {"ky": "2026-12-31..2026-01-01"}],
)
def test_an_unreadable_period_is_a_clear_400(world, command, client, params):
    _login(client, command)
    resp = client.get("/giam-sat/", params)
    assert resp.status_code == 400
    assert "2026-W47" in resp.content.decode()


def test_an_unknown_figure_is_a_404(world, command, client):
    _login(client, command)
    resp = client.get("/giam-sat/don-vi/24133/so-lieu/", {"ky": W47, "chi-so": "x"})
    assert resp.status_code == 404


def test_reminder_reaches_the_commander_who_must_acknowledge(world, history, command, client):
    _login(client, command)
    resp = client.post(
        "/giam-sat/don-vi/24133/nhac-nho/", {"ky": W47, "text": "Đề nghị xử lý tin tồn đọng"}
    )
    assert resp.status_code == 302
    reminder = Reminder.objects.get()
    assert reminder.unit == world.bmt and reminder.sent_by == command
    assert reminder.figures["received"] == 4
    client.logout()
    _login(client, world.officer_bmt)
    ack_url = f"/giam-sat/nhac-nho/{reminder.pk}/xac-nhan/"
    assert client.post(ack_url).status_code == 403
    client.logout()
    _login(client, world.commander_bmt)
    page = client.get("/giam-sat/").content.decode()
    assert "Đề nghị xử lý tin tồn đọng" in page
    assert 'title="Nhắc nhở chưa xác nhận">1<' in page
    client.post(ack_url, {"response": "Đã giao cán bộ xử lý"})
    reminder.refresh_from_db()
    assert reminder.acknowledged_by == world.commander_bmt
    assert reminder.response == "Đã giao cán bộ xử lý"


def test_only_command_sends_reminders(world, history, client):
    _login(client, world.commander_bmt)
    resp = client.post("/giam-sat/don-vi/24133/nhac-nho/", {"ky": W47, "text": "x"})
    assert resp.status_code == 403
    assert not Reminder.objects.exists()


def test_open_reminders_are_flagged_in_later_weeks(world, history, command):
    from binhyen.monitoring import services

    services.reminder_send(unit=world.bmt, actor=command, period=parse_period(W47), text="Nhắc nhở")
    later = scoring.league(parse_period("2026-W48"), vn(1, 0, month=12), kind="commune")
    bmt = next(r for r in later.rows if r.unit == world.bmt)
    assert "1 nhắc nhở chưa xác nhận" in bmt.flags


def test_award_nomination_keeps_its_figures_and_exports(world, history, command, client):
    _login(client, command)
    client.post(
        "/giam-sat/don-vi/24133/khen-thuong/",
        {"ky": W47, "officer": world.officer_bmt.pk, "reason": "Xử lý nhanh tin trộm cắp"},
    )
    nomination = AwardNomination.objects.get()
    assert nomination.officer == world.officer_bmt
    assert nomination.figures["received"] == 4
    assert nomination.figures["officer"]["decisions"] == 3  # A resolved, F and G answered
    csv = client.get("/giam-sat/khen-thuong/", {"ky": "2026-11", "xuat": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "Xử lý nhanh tin trộm cắp" in text and "Officer Bmt" in text


def test_an_officer_of_another_unit_cannot_be_nominated_for_it(world, history, command, client):
    _login(client, command)
    client.post(
        "/giam-sat/don-vi/24133/khen-thuong/",
        {"ky": W47, "officer": world.officer_tanan.pk, "reason": "x"},
    )
    assert not AwardNomination.objects.exists()


def test_unit_page_opens_every_figure(world, history, command, client):
    _login(client, command)
    resp = client.get("/giam-sat/don-vi/24133/", {"ky": W47})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "chi-so=received.duplicates" in body
    assert "2 dao" not in body and "3 dao" in body


def test_week_after_is_the_next_period():
    assert parse_period(W47).end + timedelta(days=7) == parse_period("2026-W48").end


def test_cached_past_weeks_follow_new_data(world, settings):
    from binhyen.monitoring.tests.history import receive

    settings.CACHES = {
        **settings.CACHES,
        "monitoring": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    now = vn(30, 12)
    first = scoring.tables_for(parse_period("2026-W48"), now, 2)
    assert first[1].of(world.bmt)["received"] == 0
    receive(world.bmt_page, "late", "Trộm xe", vn(18, 9))  # W47, written after the first look
    again = scoring.tables_for(parse_period("2026-W48"), now, 2)
    assert again[1].of(world.bmt)["received"] == 1

"""Urgency cues of issue 11, round 4: states that still hold, hazards now, events that are
over, deadlines. The texts are written for these tests, not taken from any set."""

import pytest

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.features import analyse, cue_features


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def urgency_cues(text: str, gaz: Gazetteer) -> set[str]:
    return {f for f in cue_features(analyse(text, gaz)) if f.startswith(("U:", "L:urg:"))}


def test_since_last_night_is_a_state_not_a_past_event(gaz: Gazetteer) -> None:
    held = analyse("Chú tôi bị nhóm đòi nợ nhốt trong kho từ tối qua, giờ chưa thả", gaz)
    assert "urg:since" in held.groups()
    assert "urg:past" not in held.groups()  # "tối qua" inside "từ tối qua"
    past = analyse("Tối qua chú tôi bị nhóm đòi nợ nhốt trong kho, sáng nay đã về", gaz)
    assert "urg:past" in past.groups()
    assert "urg:since" not in past.groups()


def test_a_past_cue_outside_the_since_phrase_still_counts(gaz: Gazetteer) -> None:
    both = analyse("Hôm qua nó đánh em, em bị nó giữ trong phòng từ tối qua", gaz)
    assert "urg:past" in both.groups()  # "hôm qua" is not inside "từ tối qua"
    assert "urg:since" in both.groups()


def test_someone_held_or_missing_since_yesterday_is_a_danger_that_still_holds(
    gaz: Gazetteer,
) -> None:
    assert "U:since+danger" in urgency_cues("con tôi bị bắt nhốt từ hôm qua tới giờ", gaz)
    assert "U:since+danger" in urgency_cues("ông ngoại mất tích từ chiều qua", gaz)
    assert "U:since+danger" not in urgency_cues("mất điện từ chiều qua", gaz)


def test_a_hazard_on_the_road_now(gaz: Gazetteer) -> None:
    assert "U:hazard+now" in urgency_cues("dây điện đứt rơi xuống đường đang xẹt lửa", gaz)
    assert "U:hazard+now" not in urgency_cues(
        "tuần trước dây điện đứt ở đầu hẻm, điện lực đã sửa", gaz
    )


def test_an_event_that_is_over(gaz: Gazetteer) -> None:
    cues = urgency_cues("Cháy rơm sau nhà lúc trưa, hàng xóm đã dập xong, không ai sao", gaz)
    assert "U:over" in cues
    assert "U:over" not in urgency_cues("Cháy rơm sau nhà, lửa đang lan sang chuồng bò", gaz)


def test_a_threat_with_a_deadline_and_a_plan_for_next_week(gaz: Gazetteer) -> None:
    assert "U:danger+future" in urgency_cues("tụi nó dọa nếu mai không trả thì đốt nhà", gaz)
    assert "U:future-now" in urgency_cues("nhà bên định gả con gái 14 tuổi tuần sau", gaz)
    assert "U:future-now" not in urgency_cues("nhà bên đang đánh con gái 14 tuổi", gaz)


def test_a_near_miss(gaz: Gazetteer) -> None:
    cues = urgency_cues("xe tải vừa chạy qua làm rơi gạch, suýt trúng bà cụ", gaz)
    assert "L:urg:near_miss" in cues


def test_weapons_on_sale_are_trade_not_danger(gaz: Gazetteer) -> None:
    assert "U:danger+trade" in urgency_cues(
        "ngoài chợ có người rao bán mã tấu với súng tự chế", gaz
    )
    assert "U:danger+trade" not in urgency_cues("ngoài chợ có người cầm mã tấu đuổi chém", gaz)

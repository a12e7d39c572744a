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


# --- round 5b: the labelling conventions of round 5 as urgency cues ---------------------------


def test_an_adult_held_without_violence(gaz: Gazetteer) -> None:
    held = "Em tôi bị chủ xưởng giữ ở kho, không cho về quê, chưa thấy đánh đập gì"
    assert "U:held-violence" in urgency_cues(held, gaz)
    beaten = "Em tôi bị chủ xưởng giữ ở kho, không cho về quê, bị đánh sưng mặt"
    assert "U:held-violence" not in urgency_cues(beaten, gaz)
    assert "U:held-violence" not in urgency_cues("Hàng xóm không đánh đập gì con", gaz)


def test_dang_of_a_lasting_state_is_not_now(gaz: Gazetteer) -> None:
    growing = analyse("Nhà ông B. đang trồng cần sa sau vườn, cây đang ra hoa", gaz)
    assert "urg:state" in growing.groups()
    assert "urg:now" not in growing.groups()  # the "đang" of a state is dropped
    assert "U:state" in urgency_cues("Nhà ông B. đang trồng cần sa sau vườn", gaz)
    wedding = urgency_cues("Nhà bên đang chuẩn bị đám cưới cho con gái 14 tuổi", gaz)
    assert "U:state" in wedding
    # "đang" of an act an officer can catch now stays "now"
    selling = analyse("Ngoài chợ đang có người bán pháo nổ", gaz)
    assert "urg:now" in selling.groups()
    assert "U:state" not in urgency_cues("Ngoài chợ đang có người bán pháo nổ", gaz)
    # another "now" cue beside the state keeps the message "now"
    assert "U:state" not in urgency_cues("Tụi nó đang chuẩn bị đám cưới, ngay bây giờ", gaz)


def test_put_out_today_or_on_an_earlier_day(gaz: Gazetteer) -> None:
    today = urgency_cues("Cháy cỏ sau trường lúc trưa, thầy cô đã dập tắt, không ai sao", gaz)
    assert "U:over+today" in today
    assert "U:over+past" not in today
    earlier = urgency_cues("Tối qua cháy kho rơm, hàng xóm đã dập tắt", gaz)
    assert "U:over+past" in earlier
    assert "U:over+today" not in earlier
    assert not {"U:over+today", "U:over+past"} & urgency_cues("Kho rơm đang cháy lớn", gaz)


def test_weapons_out_now(gaz: Gazetteer) -> None:
    assert "U:weapon+now" in urgency_cues("Có đứa cầm gậy nhưng chưa đánh ai", gaz)
    assert "U:weapon+now" not in urgency_cues("Tuần trước có đứa cầm dao đi lại", gaz)
    assert "U:weapon+now" not in urgency_cues("Ở chợ có người bày bán mã tấu", gaz)
    assert "U:weapon+now" not in urgency_cues("Nhóm cầm gậy đã bỏ đi rồi", gaz)


def test_a_missing_person_who_is_vulnerable(gaz: Gazetteer) -> None:
    elder = urgency_cues("Ông nội 81 tuổi bị lẫn, đi từ sáng tới giờ chưa về", gaz)
    assert "U:missing+vulnerable" in elder
    river = urgency_cues("Thằng em đi tắm sông từ chiều chưa thấy về", gaz)
    assert "U:missing+vulnerable" in river
    child = urgency_cues("Bé 4 tuổi đi lạc ở chợ, mẹ tìm khắp nơi", gaz)
    assert "U:missing+vulnerable" in child
    assert "U:missing+vulnerable" not in urgency_cues("Anh trai 30 tuổi mất liên lạc", gaz)


def test_a_kill_threat_set_for_later(gaz: Gazetteer) -> None:
    assert "U:kill_threat+later" in urgency_cues("tụi nó nhắn mai xuống chém chết cả nhà", gaz)
    assert "U:kill_threat+later" not in urgency_cues("nó đang cầm dao đòi giết vợ", gaz)


class _Fixed:
    """A stand-in model that always prefers the given urgency (to test the rule alone)."""

    version = "test"

    def __init__(self, urgency: str) -> None:
        self.urgency = urgency

    def probabilities(self, a: object) -> dict[str, dict[str, float]]:
        urg = {"critical": 0.1, "high": 0.1, "normal": 0.1, self.urgency: 0.8}
        return {
            "intent": {"tip": 0.9, "question": 0.1},
            "category": {"loan_shark": 0.9, "fraud": 0.1},
            "urgency": urg,
        }


def test_a_threat_to_kill_is_critical_whatever_the_model_says(gaz: Gazetteer) -> None:
    from binhyen.lib.triage.triager import Triager

    t = Triager(_Fixed("normal"), gaz)  # type: ignore[arg-type]
    r = t.predict("Nhóm cho vay nhắn tin: mai tao xuống chém chết cả nhà mày")
    assert r.urgency == "critical"
    assert "quy tắc phân loại" in r.reasons["urgency"][0]
    r = t.predict("Nó nói không trả tiền thì giết cả nhà")
    assert r.urgency == "critical"
    # a killing reported is not a threat: the model decides
    r = t.predict("Có người bị đâm chết ở bãi đất trống tối qua")
    assert r.urgency == "normal"
    # no threat at all: the model decides
    assert t.predict("Nhóm cho vay đến nhà đòi nợ").urgency == "normal"

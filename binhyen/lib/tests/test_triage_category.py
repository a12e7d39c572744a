"""Category cues of issue 11, round 5 (docs/reference/labelling.md, "Conventions added by the
project"): what was done decides the category, not who the victim is or which vehicle is
named. The texts are written for these tests, not taken from any set."""

import pytest

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage import Triager
from binhyen.lib.triage.features import analyse, cue_features


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager.load()


def groups(text: str, gaz: Gazetteer) -> set[str]:
    return analyse(text, gaz).groups()


def test_a_vehicle_named_is_context_not_a_traffic_cue(gaz: Gazetteer) -> None:
    sand = groups("Xe tải chở cát từ bãi sông chạy liên tục qua thôn từ chiều tới giờ", gaz)
    assert "cue:vehicle" in sand and "cat:traffic" not in sand
    crash = groups("Xe tải tông vào xe máy ở ngã ba, người lái nằm bất động", gaz)
    assert "cat:traffic" in crash  # the act (tông vào) is still a traffic cue
    overloaded = groups("Xe tải chở keo quá tải chạy qua cầu yếu mỗi đêm", gaz)
    assert "cat:traffic" in overloaded


def test_a_timber_truck_is_read_with_its_vehicle(gaz: Gazetteer) -> None:
    feats = cue_features(analyse("xe tải chở gỗ lậu vừa chạy ra từ rừng phòng hộ", gaz))
    assert "C:timber+vehicle" in feats


def test_a_found_phone_held_for_money_is_a_found_item(gaz: Gazetteer) -> None:
    feats = cue_features(
        analyse("Em để quên điện thoại ở quán, người nhặt được đòi 1 triệu mới trả", gaz)
    )
    assert "C:found_item" in feats
    assert "C:found_item" not in cue_features(analyse("Em bị giật điện thoại ở chợ", gaz))


def test_impersonation_with_and_without_money(gaz: Gazetteer) -> None:
    casing = cue_features(
        analyse("Hôm qua 2 người giả làm nhân viên cấp nước vào xem nhà, chụp hình cổng", gaz)
    )
    assert "C:impersonate-money+casing" in casing
    money = cue_features(
        analyse("Có người giả làm nhân viên điện lực bắt nộp 2 triệu thay đồng hồ", gaz)
    )
    assert any(f.startswith("C:impersonate+money") for f in money)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Tụi nó lại mở sòng bài trong nhà kho cuối thôn, giờ đang đánh", "cat:gambling"),
        ("Thằng cháu say rượu cầm dao đòi giết mẹ nó để lấy tiền", "cat:domestic_child"),
        ("Có người lạ dụ mấy em gái đi làm nhà hàng dưới xuôi lương cao", "cat:domestic_child"),
        (
            "Bạn em bị chủ xưởng giam giữ trái phép, thu điện thoại, không trả lương",
            "cat:other_crime",
        ),
        ("Có chị đứng ở mép đập nói muốn chết, người nhà đang khuyên", "cat:fire_rescue"),
        ("Hai thằng lùa heo trong chuồng nhà em lên xe rồi chở đi", "cat:theft_robbery"),
        ("Tôi góp vốn vào dự án đất nền của một công ty ma, giờ họ biến mất", "cat:fraud"),
    ],
)
def test_lexicon_gaps_found_in_round_5(text: str, group: str, gaz: Gazetteer) -> None:
    assert group in groups(text, gaz)


def test_the_seed_model_reads_the_conventions(triager: Triager) -> None:
    # Conventions of labelling.md, round 5: the act decides, a casing stranger in a fake
    # uniform who asks for nothing is suspicious, a gambling den reopened is gambling.
    r = triager.predict(
        "Sáng nay có 2 người giả nhân viên điện lực đi từng nhà trong thôn em chụp hình cổng, "
        "hỏi nhà nào đi vắng, ở xã Ea Kao"
    )
    assert r.intent == "tip" and r.category == "suspicious"
    r = triager.predict("Công an vừa đi thì tụi nó lại mở sòng bài ở nhà ông K., giờ đang đánh")
    assert r.intent == "tip" and r.category == "gambling"

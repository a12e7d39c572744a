import json
from pathlib import Path

import pytest

from binhyen.lib.gazetteer import Gazetteer

BMT = ["24121", "24133", "24154", "24163", "24169", "24175"]
KRONG_PAC = ["24490", "24496", "24502", "24505", "24526", "24529"]
CU_MGAR = ["24259", "24265", "24277", "24280", "24286", "24301"]
SEED_DEV = Path(__file__).resolve().parents[2] / "data" / "triage" / "seed-dev.jsonl"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def codes(gaz: Gazetteer, text: str) -> list[str]:
    return gaz.resolve(text).codes


def test_shipped_file_has_every_current_and_former_unit(gaz: Gazetteer) -> None:
    assert len(gaz.units) == 102
    assert len(gaz.former_units) == 286
    assert len(gaz.former_districts) == 24


def test_prefixed_current_unit_resolves_to_its_code(gaz: Gazetteer) -> None:
    assert codes(gaz, "Công an phường Tuy Hòa cho hỏi") == ["22015"]
    assert codes(gaz, "nha e o x Ea Ktur") == ["24544"]


def test_bare_unique_current_name_resolves_to_its_code(gaz: Gazetteer) -> None:
    assert codes(gaz, "e o Tuy An Nam") == ["22153"]
    assert codes(gaz, "nha e o Dang Kang") == ["24454"]


def test_former_ward_resolves_to_the_unit_it_merged_into(gaz: Gazetteer) -> None:
    assert codes(gaz, "em ở phường Tân Lợi cũ") == ["24133"]
    assert codes(gaz, "nha o tt Ea Drang") == ["24181"]


def test_split_former_unit_lists_every_candidate(gaz: Gazetteer) -> None:
    assert codes(gaz, "dinh vi thay o phuong 9 tp Tuy Hoa") == ["22015", "22045"]
    assert codes(gaz, "gần UBND xã Ea Bhốk cũ") == ["24544", "24561"]


def test_former_district_with_a_prefix_lists_all_its_units(gaz: Gazetteer) -> None:
    assert codes(gaz, "o huyen Krong Pac cu") == KRONG_PAC
    assert codes(gaz, "thành phố Buôn Ma Thuột") == BMT


def test_bare_former_district_name_lists_all_its_units(gaz: Gazetteer) -> None:
    assert codes(gaz, "toi o Cu Mgar") == CU_MGAR
    assert codes(gaz, "xe bi lay trong bai xe cho BMT") == BMT


def test_commune_named_after_a_former_district_is_only_that_commune(gaz: Gazetteer) -> None:
    assert codes(gaz, "thôn 5 xã Krông Pắc") == ["24490"]
    assert codes(gaz, "huyện Krông Pắc") == KRONG_PAC
    assert codes(gaz, "phường Buôn Ma Thuột") == ["24133"]


def test_same_name_former_units_are_told_apart_by_their_district(gaz: Gazetteer) -> None:
    assert codes(gaz, "nha e o x Hoa Thang bmt") == ["24121"]
    assert codes(gaz, "tôi ở xã Hòa Thắng cũ (Phú Hòa)") == ["22319"]
    assert codes(gaz, "x Ea Tam, Krong Nang") == ["24352"]


def test_names_that_fold_alike_are_told_apart_by_their_district(gaz: Gazetteer) -> None:
    assert codes(gaz, "thon 6 x Ea Drong (buon ho)") == ["24328"]
    assert codes(gaz, "xã Ea Drơng, Cư M'gar") == ["24301"]


def test_accents_tell_apart_names_that_fold_alike(gaz: Gazetteer) -> None:
    assert codes(gaz, "ở xã Hòa Đông") == ["24505"]
    assert codes(gaz, "ở xã Hòa Đồng") == ["22276"]


def test_prefixed_current_name_wins_unless_district_or_cu_says_otherwise(gaz: Gazetteer) -> None:
    assert codes(gaz, "xã Hòa Xuân, Đông Hòa") == ["22291"]
    assert codes(gaz, "xa Hoa Xuan cu (tp BMT)") == ["24175"]
    assert codes(gaz, "xã Tân Lập (Krông Búk cũ)") == ["24316"]


def test_a_name_never_spans_punctuation(gaz: Gazetteer) -> None:
    # without the comma "Hòa Xuân Đông" would be read as the former commune of that name
    reasons = gaz.resolve("xã Hòa Xuân, Đông Hòa").reasons
    assert reasons[0] == "'xã hòa xuân' → Xã Hòa Xuân (22291)"


def test_prefix_type_picks_a_former_ward_over_a_current_commune(gaz: Gazetteer) -> None:
    assert codes(gaz, "tiem photo o p Tan Tien") == ["24133"]
    assert codes(gaz, "doan duong qua x Tan Tien") == ["24526"]


def test_street_and_road_names_are_not_places(gaz: Gazetteer) -> None:
    assert codes(gaz, "cháy nhà ở hẻm 120 đường Y Wang") == []
    assert codes(gaz, "đua xe trên đường Nguyễn Chí Thanh") == []
    assert codes(gaz, "xe tai tren QL14") == []


def test_village_sharing_a_unit_name_is_not_a_place(gaz: Gazetteer) -> None:
    assert codes(gaz, "mất xe ở thôn Tân Hòa xã Ea Wer") == ["24241"]
    assert codes(gaz, "em ở buôn Ea Drông xã Cư Né") == ["24310"]


def test_landmark_named_after_a_unit_counts(gaz: Gazetteer) -> None:
    assert codes(gaz, "vừa bị giật đồ trước chợ Tân An") == ["24163"]
    assert codes(gaz, "2 dua nho tam o ho Ea Kao bi duoi nuoc") == ["24169"]


def test_nha_van_hoa_is_not_xa_van_hoa(gaz: Gazetteer) -> None:
    assert codes(gaz, "tụ tập ở nhà văn hóa thôn 2") == []
    assert codes(gaz, "e o x Van Hoa") == ["22177"]


def test_cu_after_a_name_is_the_old_marker_not_an_cu(gaz: Gazetteer) -> None:
    assert codes(gaz, "chợ phường Tân An cũ") == ["24163"]
    assert codes(gaz, "ở xã An Cư") == ["22147"]


def test_other_provinces_resolve_to_nothing(gaz: Gazetteer) -> None:
    assert codes(gaz, "bị trộm xe ở huyện Krông Pa, Gia Lai") == []
    assert codes(gaz, "người nhà em ở Nghệ An") == []


def test_province_names_alone_resolve_to_nothing(gaz: Gazetteer) -> None:
    assert codes(gaz, "xe biển số Phú Yên giờ có phải đổi không") == []
    assert codes(gaz, "bán ship toàn tỉnh Đắk Lắk") == []
    assert codes(gaz, "công an phường Phú Yên") == ["22240"]


def test_direction_of_travel_is_ignored(gaz: Gazetteer) -> None:
    text = "cướp tiệm vàng ở chợ Phước An, đang chạy ra QL26 về hướng Ea Kly"
    assert codes(gaz, text) == ["24490"]


def test_phia_is_a_side_unless_something_moves_towards_it(gaz: Gazetteer) -> None:
    side = "cô gái đứng ngoài lan can cầu Đà Rằng phía phường Phú Lâm, định nhảy xuống"
    assert codes(gaz, side) == ["22240"]
    moving = "cướp giật ở chợ Phước An rồi chạy về phía phường Tân Lập"
    assert codes(gaz, moving) == ["24490"]


def test_going_all_the_way_to_a_place_is_a_destination(gaz: Gazetteer) -> None:
    text = "Krông Bông có chỗ nào cấp đổi giấy phép lái xe không hay phải xuống tận BMT ạ?"
    assert codes(gaz, text) == ["24448", "24454", "24472", "24478", "24484"]


def test_cu_starting_the_next_name_is_not_the_old_marker(gaz: Gazetteer) -> None:
    # Unaccented "Cu Mgar" after a comma is the district that tells Ea D'Rơng from Ea Drông.
    assert codes(gaz, "o xa Ea Drong, Cu Mgar co nguoi thue tre em hai ca phe") == ["24301"]
    assert codes(gaz, "p Tan Loi, cu") == ["24133"]


def test_hometown_is_not_the_event_place(gaz: Gazetteer) -> None:
    elsewhere = "Em quê xã Ea Wy, đang làm thuê ở Pleiku, Gia Lai, sáng nay bị móc túi ở bến xe"
    assert codes(gaz, elsewhere) == []
    here = "e que xa Ea Wy, nay dang o tro phuong Ea Kao thi bi mat xe"
    assert codes(gaz, here) == ["24169"]  # Phường Ea Kao
    only = "em quê xã Ea Wy, muốn làm lại căn cước thì làm ở đâu ạ"
    assert codes(gaz, only) == ["24193"]  # the only place named: the citizen's locality
    going = "Tết này con về quê ở xã Ea Wy chơi một tháng có phải khai báo tạm vắng không"
    assert codes(gaz, going) == ["24193"]


def test_caller_claimed_office_elsewhere_is_ignored(gaz: Gazetteer) -> None:
    text = "người tự xưng công an phường Tân An gọi mẹ tôi ở thị trấn Buôn Trấp"
    assert codes(gaz, text) == ["24538"]


def test_reasons_explain_a_former_name(gaz: Gazetteer) -> None:
    reasons = gaz.resolve("phường Tân Lợi cũ").reasons
    assert reasons == ["phường Tân Lợi (tên cũ, Buôn Ma Thuột) → Phường Buôn Ma Thuột"]


def test_nearest_lists_closest_units_with_distances(gaz: Gazetteer) -> None:
    near = gaz.nearest(12.7089, 108.028, n=3)
    assert near[0] == ("24133", 0.0)
    assert len(near) == 3 and near[1][1] <= near[2][1]


def test_picker_entries_offer_current_and_former_names(gaz: Gazetteer) -> None:
    labels = {e.label: e.codes for e in gaz.picker_entries()}
    assert labels["Phường Buôn Ma Thuột"] == ("24133",)
    assert labels["Phường Tân Lợi (cũ, Thành phố Buôn Ma Thuột)"] == ("24133",)
    assert [e.codes for e in gaz.search("tan loi")] == [("24133",)]
    assert "Phường Tân Lợi (Thành phố Buôn Ma Thuột)" in gaz.names_for("24133")


def test_another_province_file_of_the_same_format_loads(tmp_path: Path) -> None:
    data = {
        "format": "binhyen-gazetteer/1",
        "province": {"code": "99", "name": "Tỉnh Thử", "short_name": "Thử"},
        "units": [
            {"code": "1", "name": "Xã An Lạc", "type": "xã", "short_name": "An Lạc",
             "centroid": {"lat": 10.0, "lon": 106.0}},
            {"code": "2", "name": "Phường Bến Đò", "type": "phường", "short_name": "Bến Đò",
             "centroid": {"lat": 10.1, "lon": 106.1}},
        ],
        "former_units": [
            {"code": "7", "name": "Xã Cây Me", "name_variants": ["Xã Cây Me"], "type": "xã",
             "district_code": "70", "district_name": "Huyện Sông Xa",
             "former_province": "Tỉnh Thử",
             "new_units": [{"code": "1", "relation": "merged_whole"}]},
        ],
        "former_districts": [
            {"code": "70", "name": "Huyện Sông Xa", "type": "huyện", "former_province": "Tỉnh Thử",
             "new_units": ["1", "2"], "centroid": None},
        ],
    }  # fmt: skip
    path = tmp_path / "99.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = Gazetteer.load(path)
    assert codes(other, "o xa Cay Me cu") == ["1"]
    assert codes(other, "huyen Song Xa") == ["1", "2"]
    assert codes(other, "phuong Ben Do") == ["2"]


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ValueError, match="binhyen-gazetteer/1"):
        Gazetteer.load(path)


def test_dev_set_place_labels_are_reproduced(gaz: Gazetteer) -> None:
    rows = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines()]
    hits = sum(
        set(gaz.resolve(r["text"]).codes) == {str(c) for c in r["place_codes"]} for r in rows
    )
    assert hits / len(rows) >= 0.97


def test_a_road_to_a_place_names_that_place_not_a_direction(gaz: Gazetteer) -> None:
    assert codes(gaz, "Đường lên Krông Bông hôm nay có bị sạt lở không ạ") == [
        "24448", "24454", "24472", "24478", "24484",
    ]  # fmt: skip
    assert codes(gaz, "nhóm người chặt cây ven đường lên xã Krông Bông") == ["24448"]
    assert codes(gaz, "2 thằng trộm chạy lên Krông Bông rồi, nhà em ở xã Ea Na") == ["24559"]


def test_numbered_units_need_the_ward_prefix(gaz: Gazetteer) -> None:
    assert codes(gaz, "tam vang di lam an xa 1 nam thi co phai khai bao ko? toi o xa Krong A") == [
        "24444"
    ]
    assert codes(gaz, "ở phường 9 Tuy Hòa") == ["22015", "22045"]

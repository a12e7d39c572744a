import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.lib import vntext
from binhyen.lib.vntext import tokens, words


def test_fold_lowercases_and_removes_diacritics() -> None:
    assert vntext.fold("Đánh NHAU ở Chợ Tân Lợi") == "danh nhau o cho tan loi"


def test_fold_turns_d_with_stroke_into_d() -> None:
    assert vntext.fold("Đắk Lắk đường") == "dak lak duong"


def test_fold_accepts_text_typed_in_decomposed_unicode() -> None:
    assert vntext.fold(unicodedata.normalize("NFD", "Tân Lợi")) == "tan loi"


def test_apostrophe_variants_fold_to_the_same_tokens() -> None:
    spellings = ["Cư M’gar", "Cư M'gar", "Cư M`gar", "Cư Mʼgar", "Cu Mgar"]
    assert {vntext.fold(s) for s in spellings} == {"cu mgar"}


def test_punctuation_becomes_token_boundaries() -> None:
    assert vntext.tokens("trộm!!!xe,ở(p.Tân An)") == ["trom", "xe", "o", "phuong", "tan", "an"]


def test_digits_are_split_from_letters() -> None:
    assert vntext.tokens("QL14") == ["quoc", "lo", "14"]


def test_negation_teencode_expands_to_khong() -> None:
    for word in ["ko", "k", "kg", "hok", "khg"]:
        assert vntext.fold(f"{word} biet") == "khong biet"


def test_common_teencode_is_expanded() -> None:
    assert vntext.fold("dc ko ad") == "duoc khong ad"
    assert vntext.fold("ae mn vs cs") == "anh em moi nguoi voi cong an"
    assert vntext.fold("sdt ntn r trc") == "so dien thoai nhu the nao roi truoc"
    assert vntext.fold("lam j z") == "lam gi vay"


def test_place_prefix_abbreviations_are_expanded() -> None:
    assert vntext.fold("p. Tân Lợi, x Ea Tam, tt Phước An, tx Buôn Hồ") == (
        "phuong tan loi xa ea tam thi tran phuoc an thi xa buon ho"
    )
    assert vntext.fold("tp BMT") == "thanh pho buon ma thuot"


def test_h_after_a_number_is_an_hour_and_before_a_name_is_a_district() -> None:
    assert vntext.fold("11h đêm") == "11 gio dem"
    assert vntext.fold("bay h dang co") == "bay gio dang co"
    assert vntext.fold("o h. Krong Pac") == "o huyen krong pac"


def test_units_after_numbers_are_expanded() -> None:
    assert vntext.fold("mat 20tr 30p truoc, 500k") == "mat 20 trieu 30 phut truoc 500 nghin"


def test_bn_means_how_much_after_a_fine_and_you_otherwise() -> None:
    assert vntext.fold("bi phat bn") == "bi phat bao nhieu"
    assert vntext.fold("bn o dau") == "ban o dau"


def test_words_keep_the_accented_source_and_capitalisation() -> None:
    ws = vntext.words("Hoà Đông cũ, p.Tân")
    assert [w.text for w in ws] == ["hoa", "dong", "cu", "phuong", "tan"]
    assert [w.raw for w in ws] == ["hoà", "đông", "cũ", "", "tân"]
    assert [w.title for w in ws] == [True, True, False, False, True]


def test_words_mark_punctuation_before_a_token() -> None:
    ws = vntext.words("Hòa Xuân, Đông Hòa")
    assert [w.brk for w in ws] == [False, False, True, False]


def test_words_and_tokens_agree() -> None:
    text = "cs oi, 2 thang dang danh nhau o p Tan Lap bmt!!! 😡"
    assert [w.text for w in vntext.words(text)] == vntext.tokens(text)


def test_old_and_new_tone_placement_share_an_accent_key() -> None:
    assert vntext.accent_key("Hoà") == vntext.accent_key("hòa")


def test_cu_old_marker_and_cu_name_fold_alike_but_keep_different_accent_keys() -> None:
    assert vntext.fold("cũ") == vntext.fold("Cư") == "cu"
    assert vntext.accent_key("cũ") != vntext.accent_key("Cư")


def test_has_diacritics_ignores_apostrophes_and_emoji() -> None:
    assert vntext.has_diacritics("Mât trộm")
    assert not vntext.has_diacritics("Cu M'gar 😊")


@pytest.mark.parametrize("text", ["½", "½\n", "İstanbul Ấp", "ǅemal İİ ½½ ﬁre", "İ" * 5])
def test_words_survive_text_whose_folding_or_lowercasing_changes_its_shape(text):
    # Found by the Open311 fuzzer: "½" (a word to \w, none once folded) and "İ" (lower()
    # makes it two characters) crashed words() and answered 500.
    out = words(text)
    assert all(w.text for w in out)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_words_never_raise_on_any_text(text):
    out = words(text)
    assert [w.text for w in out] == tokens(text)

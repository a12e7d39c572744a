"""Identifiers masked before citizens' words are kept for training."""

from __future__ import annotations

import pytest

from binhyen.lib.redact import mask_identifiers


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("gọi 0905111222 nhé", "0905111222"),
        ("sđt 0905 111 222", "0905 111 222"),
        ("số +84 905 111 222", "905 111 222"),
        ("máy bàn 028 3822 1234", "3822 1234"),
        ("090.511.1222", "511.1222"),
        ("mail a.b-c@gmail.com.vn", "a.b-c@gmail"),
        ("zalo 5550001112223334445", "5550001112223334445"),
        ("CCCD 066090001234", "066090001234"),
        ("CMND 241234567", "241234567"),
        ("xe 47A-123.45 bỏ chạy", "47A-123.45"),
        ("xe 51G 12345", "51G 12345"),
        ("xe máy 29-B1 234.56", "29-B1 234.56"),
        ("biển 47b1-12345", "47b1-12345"),
    ],
)
def test_identifiers_are_masked(text, gone):
    assert gone not in mask_identifiers(text)


@pytest.mark.parametrize(
    "text",
    [
        "lúc 20:30 ngày 12/3/2026 có 2 nhóm đánh nhau",
        "khoảng 100 người, 3 xe máy, số nhà 123 Lê Duẩn",
        "năm 2026 phường Tân An",
    ],
)
def test_ordinary_numbers_and_words_stay(text):
    assert mask_identifiers(text) == text


def test_names_the_vault_knows_are_masked_whatever_the_case_or_accents():
    known = ["Nguyễn Thị Hoà Bình", "0905111222"]
    text = "Tôi là NGUYEN THI HOA BINH, gọi chị Bình hoặc số 0905111222. Hòa bình muôn năm"
    masked = mask_identifiers(text, known)
    assert "NGUYEN" not in masked and "Bình" not in masked and "0905111222" not in masked
    assert masked.startswith("Tôi là [MASKNAME], gọi chị [MASKNAME]")

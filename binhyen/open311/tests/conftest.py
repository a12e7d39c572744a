from __future__ import annotations

import pytest

from binhyen.open311.services import api_key_create


@pytest.fixture
def key(world):
    _row, raw = api_key_create(name="Ứng dụng Phố An Toàn", unit=world.province)
    return raw


@pytest.fixture
def other_key(world):
    _row, raw = api_key_create(name="Hệ thống khác", unit=world.province)
    return raw


def request_data(key: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "api_key": key,
        "service_code": "tip.drugs",
        "lat": "12.7203",
        "long": "108.1100",
        "description": "Có người bán ma túy trong quán karaoke.",
        "attribute[anonymous]": "true",
        "attribute[happening_now]": "true",
        "attribute[people_involved]": "3",
        "attribute[commune_code]": "24163",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

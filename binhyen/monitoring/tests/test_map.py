"""The province map and trend charts: offline data, permission-scoped, readable."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.monitoring import geo, mapdata
from binhyen.monitoring.periods import parse_period
from binhyen.monitoring.tests.history import build, vn
from binhyen.testing import PASSWORD
from binhyen.units.services import gazetteer_path

W47 = "2026-W47"


def test_cells_cover_every_commune_and_stay_inside_the_outline():
    data = geo.load_cells("66")
    gazetteer = json.loads(gazetteer_path("66").read_text(encoding="utf-8"))
    assert {c["code"] for c in data["cells"]} == {u["code"] for u in gazetteer["units"]}
    lons = [p[0] for p in data["outline"]]
    lats = [p[1] for p in data["outline"]]
    for cell in data["cells"]:
        assert len(cell["polygon"]) >= 3
        for lon, lat in cell["polygon"]:
            assert min(lons) - 1e-6 <= lon <= max(lons) + 1e-6
            assert min(lats) - 1e-6 <= lat <= max(lats) + 1e-6


def test_the_committed_cells_are_what_the_builder_computes():
    gazetteer = json.loads(gazetteer_path("66").read_text(encoding="utf-8"))
    assert geo.build_cells(gazetteer)["cells"] == geo.load_cells("66")["cells"]


def test_tips_per_100_km2():
    from collections import Counter

    from binhyen.monitoring.kpis import Figures

    fig = Figures(counts=Counter({"received.intent.tip": 3}))
    assert mapdata.figure_value("tips_density", fig, 60.0) == pytest.approx(5.0)
    assert mapdata.figure_value("tips_density", fig, None) is None


@pytest.fixture
def command(world):
    return staff_upsert(
        username="lanhdao",
        password=PASSWORD,
        full_name="Lãnh đạo",
        memberships=[(world.province, Role.COMMAND)],
    )


def test_map_page_colours_the_communes_and_links_them(world, command, client):
    build(world)
    assert client.login(username="lanhdao", password=PASSWORD)
    resp = client.get("/giam-sat/ban-do/", {"ky": W47, "chi-so": "received"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert body.count("<polygon") == 102
    assert "/giam-sat/don-vi/24133/?ky=2026-W47" in body
    assert "Phường Buôn Ma Thuột: 4,0 tin" in body
    assert "không phải địa giới hành chính" in body


def test_a_commune_sees_no_figure_of_other_communes_on_the_map(world, client):
    build(world)
    assert client.login(username=world.officer_tanan.username, password=PASSWORD)
    body = client.get("/giam-sat/ban-do/", {"ky": W47, "chi-so": "received"}).content.decode()
    assert "/giam-sat/don-vi/24133/" not in body
    assert "Phường Buôn Ma Thuột: —" in body


def test_trend_chart_is_a_png_and_scoped(world, command, client):
    build(world)
    assert client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert client.get("/giam-sat/don-vi/24133/bieu-do/kenh.png", {"ky": W47}).status_code == 404
    resp = client.get("/giam-sat/don-vi/24163/bieu-do/linh-vuc.png", {"ky": W47})
    assert resp["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(resp.content))
    assert img.width > 600


def test_the_province_pdf_carries_the_map(world):
    from binhyen.monitoring import reports
    from binhyen.monitoring.reportdata import build_book

    build(world)
    book = build_book(parse_period(W47), vn(1, 0, month=12))
    png = reports.map_png(book, world.province)
    assert png is not None and Image.open(io.BytesIO(png)).height > 400
    assert reports.map_png(book, world.bmt) is None

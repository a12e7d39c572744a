"""The admin reads in Vietnamese: its titles, every section, and the duty roster in it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.duty.models import Shift
from binhyen.testing import PASSWORD


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.test", PASSWORD)


def test_admin_titles_and_sections_are_vietnamese(root, client):
    client.force_login(root)
    body = client.get("/quan-tri/").content.decode()
    assert "Django" not in body
    assert "BinhYen — Quản trị hệ thống" in body
    sections = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", body, re.S)
    assert "Tác vụ nền (hàng đợi)" in sections
    assert "Trực ban và cảnh báo" in sections
    english = {"Tasks Database Backend", "Axes", "Otp_Static", "Otp_Totp"}
    assert not english & set(sections), sections
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', body, re.S)
    for name in ("Access attempts", "Task Results", "TOTP devices", "Static devices"):
        assert name not in models, models


@pytest.mark.parametrize("clock", ["09:47", "16:47", "23:47"])
def test_duty_shifts_are_managed_in_the_admin(world, root, client, time_machine, clock):
    # Evening shifts end the next day: dates are typed day first ("06/12/2026" is 6 December)
    # and must be read that way, whatever the time of day the test runs.
    hour, minute = map(int, clock.split(":"))
    time_machine.move_to(
        datetime(2026, 12, 6, hour, minute, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    )
    client.force_login(root)
    now = timezone.localtime().replace(second=0, microsecond=0)
    start, end = now, now + timedelta(hours=8)
    resp = client.post(
        "/quan-tri/duty/shift/add/",
        {
            "unit": world.bmt.pk,
            "user": world.officer_bmt.pk,
            "post": "officer",
            "starts_at_0": start.strftime("%d/%m/%Y"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%d/%m/%Y"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "note": "",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[-3000:]
    shift = Shift.objects.get(user=world.officer_bmt)
    assert (shift.unit, shift.starts_at, shift.ends_at) == (world.bmt, start, end)
    # The console's rules hold here too: an officer of another commune cannot be rostered.
    resp = client.post(
        "/quan-tri/duty/shift/add/",
        {
            "unit": world.bmt.pk,
            "user": world.officer_tanan.pk,
            "post": "officer",
            "starts_at_0": start.strftime("%d/%m/%Y"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%d/%m/%Y"),
            "ends_at_1": end.strftime("%H:%M:%S"),
        },
    )
    assert resp.status_code == 200 and "Cán bộ không thuộc đơn vị này." in resp.content.decode()
    assert client.get("/quan-tri/duty/shift/").status_code == 200

"""The held queue cannot fill the disk: held files count against a quota per network and
for everyone, under a cap on what is stored; discarded tips lose their files at once."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from binhyen.lib.media import clean_upload
from binhyen.tips import services
from binhyen.tips.models import Tip
from binhyen.tips.tests.helpers import form_data

MB = 1024 * 1024


@pytest.fixture(scope="module")
def big_photo() -> bytes:
    """A noisy photo that stays ~1 MB after cleaning (noise does not compress)."""
    buf = io.BytesIO()
    Image.effect_noise((1100, 1100), 120).convert("RGB").save(buf, format="JPEG", quality=95)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    # Only this test's files are counted on disk.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quotas(settings):
    settings.TIPS_HELD_CLIENT_MB_PER_HOUR = 4
    settings.TIPS_HELD_ALL_MB_PER_HOUR = 8
    settings.TIPS_HELD_MAX_MB = 12
    return settings


def _held_post(client, photo: bytes, *, addr: str, n: int = 3, text: str = "Tin rác"):
    data = form_data(website="bot", what=f"{text} {addr} {n}")  # the honeypot: held
    data["uploads"] = [SimpleUploadedFile(f"{i}.jpg", photo, "image/jpeg") for i in range(n)]
    return client.post("/bao-tin/", data, REMOTE_ADDR=addr)


def _held_bytes() -> int:
    _dirs, files = default_storage.listdir("held") if default_storage.exists("held") else ([], [])
    return sum(default_storage.size(f"held/{name}") for name in files)


def test_held_files_from_one_network_are_refused_past_its_quota_with_a_clear_message(
    world, web, client, quotas, big_photo
):
    accepted = [_held_post(client, big_photo, addr="203.0.113.9").status_code for _ in range(5)]
    assert accepted[0] == 200
    assert 429 in accepted
    refused = _held_post(client, big_photo, addr="203.0.113.9")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "quá nhiều tệp" in body and "113" in body
    assert not re.search(r'id="tip-code"', body)  # no code for what was not kept
    assert _held_bytes() <= 4 * MB + 1 * MB  # the quota, give or take the last photo
    # Another network still gets through.
    assert _held_post(client, big_photo, addr="198.51.100.20").status_code == 200


def test_held_storage_cap_refuses_files_from_anyone_once_reached(
    world, web, client, quotas, big_photo
):
    quotas.TIPS_HELD_ALL_MB_PER_HOUR = 1000
    codes = [
        _held_post(client, big_photo, addr=f"198.51.100.{i}", n=2).status_code for i in range(10)
    ]
    assert codes.count(200) >= 5 and codes[-1] == 429
    assert _held_bytes() <= 12 * MB
    stored = sum(Tip.objects.values_list("held_bytes", flat=True))
    assert stored == _held_bytes()


def test_everyones_hourly_quota_of_held_files_is_bounded(world, web, client, quotas, big_photo):
    codes = [_held_post(client, big_photo, addr=f"192.0.2.{i}", n=2).status_code for i in range(8)]
    assert 429 in codes
    assert _held_bytes() <= 8 * MB + 2 * MB


def test_held_text_without_files_is_still_accepted_past_the_file_quota(
    world, web, client, quotas, big_photo
):
    for _ in range(5):
        _held_post(client, big_photo, addr="203.0.113.9")
    data = form_data(website="bot", what="Chỉ có lời, không có tệp")
    assert client.post("/bao-tin/", data, REMOTE_ADDR="203.0.113.9").status_code == 200
    assert Tip.objects.filter(state=Tip.State.HELD).count() >= 2


def test_discarding_a_held_tip_deletes_its_files_at_once(world, web, client, big_photo):
    _held_post(client, big_photo, addr="203.0.113.9", n=2)
    tip = Tip.objects.get()
    assert _held_bytes() > 0 and tip.held_bytes == _held_bytes()
    services.tip_discard(tip=tip, actor=world.province_officer)
    tip.refresh_from_db()
    assert _held_bytes() == 0
    assert tip.held_bytes == 0
    assert tip.held["report"]["text"]  # the words stay restorable for 30 days


def test_files_sent_later_to_a_held_tip_count_against_the_same_quota(
    world, web, client, quotas, big_photo
):
    _held_post(client, big_photo, addr="203.0.113.9", n=1, text="Giữ lại")
    tip = Tip.objects.get()
    photo = clean_upload(big_photo, max_image_bytes=10 * MB, max_video_bytes=25 * MB)
    with pytest.raises(services.TipRefused):
        for i in range(10):
            services.tip_message_send(
                tip=tip, text=f"thêm ảnh {i}", nonce=f"n{i}", uploads=[photo], client_key="abc"
            )
    tip.refresh_from_db()
    assert tip.held_bytes == _held_bytes() <= 4 * MB + 1 * MB


def test_held_files_nobody_refers_to_are_swept(world, web, client, big_photo):
    _held_post(client, big_photo, addr="203.0.113.9", n=1)
    default_storage.save("held/orphan.jpg", ContentFile(b"left by a rolled-back request"))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert services.held_orphans_purge() == 1
    assert default_storage.listdir("held")[1] == [Tip.objects.get().held["files"][0]["path"][5:]]

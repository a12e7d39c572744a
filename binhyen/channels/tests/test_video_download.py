"""Videos citizens send on Zalo are downloaded without their location, or not at all."""

from __future__ import annotations

import copy

from binhyen.cases.models import Attachment
from binhyen.lib.tests.video_samples import LOCATION_MARKERS, dashcam_mp4
from binhyen.testing import post_zalo, secret_of, zalo_event


def _send_video(world, client, zalo_sim, content: bytes) -> None:
    url = zalo_sim.media_url(zalo_sim.store_media(content, "video/mp4"), "mp4")
    payload = zalo_event("user_send_video", page=world.bmt_page)
    message = copy.deepcopy(payload["message"])
    message["attachments"][0]["payload"]["url"] = url
    payload["message"] = message
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200


def test_zalo_dashcam_video_is_stored_without_its_location(world, client, zalo_sim, drain):
    _send_video(world, client, zalo_sim, dashcam_mp4())
    drain()
    att = Attachment.objects.get(kind="video")
    assert att.status == Attachment.Status.STORED
    assert att.content_type == "video/mp4"
    with att.file.open("rb") as fh:
        stored = fh.read()
    assert not [m for m in LOCATION_MARKERS if m in stored]


def test_zalo_video_is_not_stored_when_it_cannot_be_cleaned(
    world, client, zalo_sim, drain, settings
):
    settings.FFMPEG = "/nonexistent/ffmpeg"
    _send_video(world, client, zalo_sim, dashcam_mp4())
    drain()
    att = Attachment.objects.get(kind="video")
    assert att.status == Attachment.Status.FAILED
    assert not att.file
    assert "video" in att.error.lower()

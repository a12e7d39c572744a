"""Videos from citizens leave without their location, in every layout devices write it
(samples: video_samples.py), and still play with the same frames."""

from __future__ import annotations

import pytest

from binhyen.lib import media
from binhyen.lib.media import MediaError, MediaUnavailable, clean_upload, clean_video, iso_boxes
from binhyen.lib.tests import video_samples as samples

LIMITS = {"max_image_bytes": 10_000_000, "max_video_bytes": 25_000_000}
# Boxes that carry metadata (or free-form bytes) and may not appear in a cleaned file.
FORBIDDEN = {b"udta", b"meta", b"uuid", b"XMP_", b"\xa9xyz", b"loci", b"gps ", b"keys", b"ilst"}


@pytest.mark.parametrize("layout", sorted(samples.LAYOUTS))
def test_samples_really_carry_a_location(layout):
    raw = samples.LAYOUTS[layout]()
    assert any(m in raw for m in samples.LOCATION_MARKERS)


@pytest.mark.parametrize("layout", sorted(samples.LAYOUTS))
def test_video_location_is_gone_in_phone_and_dashcam_layouts(layout):
    raw = samples.LAYOUTS[layout]()
    cleaned = clean_video(raw)
    leaked = [m for m in samples.LOCATION_MARKERS if m in cleaned.content]
    assert not leaked, f"{layout}: {leaked} survived"
    boxes = iso_boxes(cleaned.content)
    assert not FORBIDDEN & {kind for kind, _depth, _payload in boxes}
    for kind, _depth, payload in boxes:
        if kind in {b"free", b"skip"}:
            assert not payload.strip(b"\x00"), f"{layout}: a {kind!r} box still holds bytes"
    tags = samples.probe_tags(cleaned.content)
    assert "location" not in tags.lower() and "apple" not in tags.lower()
    assert "2026-03-21" not in tags  # creation times gone too


@pytest.mark.parametrize("layout", sorted(samples.LAYOUTS))
def test_cleaned_video_keeps_its_frames_and_sound_but_no_data_tracks(layout):
    raw = samples.LAYOUTS[layout]()
    cleaned = clean_video(raw)
    assert samples.probe_streams(cleaned.content) == ["video", "audio"]
    assert samples.video_packets_md5(cleaned.content) == samples.video_packets_md5(raw)
    expected = "video/quicktime" if layout.endswith("mov") else "video/mp4"
    assert cleaned.content_type == expected


def test_video_is_refused_when_the_cleaning_tool_is_missing(settings):
    settings.FFMPEG = "/nonexistent/ffmpeg"
    with pytest.raises(MediaUnavailable):
        clean_video(samples.android_mp4())
    with pytest.raises(MediaError):
        clean_upload(samples.android_mp4(), **LIMITS)


def test_something_that_only_looks_like_a_video_is_refused():
    raw = bytearray(samples.android_mp4())
    moov = raw.index(b"moov")
    raw[moov + 4 : moov + 400] = b"\xff" * 396  # the movie header is garbage now
    with pytest.raises(MediaError):
        clean_video(bytes(raw))


def test_tool_output_with_a_metadata_box_is_refused(monkeypatch):
    real = media._remux

    def leaky(content: bytes, fmt: str) -> bytes:
        return real(content, fmt) + samples.box(b"free", samples.NMEA)

    monkeypatch.setattr(media, "_remux", leaky)
    with pytest.raises(MediaError, match="metadata"):
        clean_video(samples.android_mp4())

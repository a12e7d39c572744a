"""Media from citizens: checked by content, metadata removed (photos and videos)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from binhyen.lib.media import (
    MediaError,
    clean_image,
    clean_upload,
    clean_video,
    sniff_content_type,
)
from binhyen.lib.tests.video_samples import video_packets_md5
from binhyen.tips.tests.helpers import jpeg_with_gps, mp4_with_location

LIMITS = {"max_image_bytes": 10_000_000, "max_video_bytes": 25_000_000}


def test_the_sample_jpeg_really_carries_gps_and_owner_tags():
    with Image.open(io.BytesIO(jpeg_with_gps(artist="Owner Name"))) as img:
        exif = img.getexif()
        assert exif.get_ifd(0x8825)[2] == (12.0, 40.0, 47.0)
        assert exif[0x013B] == "Owner Name"


def test_cleaned_jpeg_has_no_exif_gps_or_owner_left():
    cleaned = clean_image(jpeg_with_gps(artist="Owner Name", serial="SN-777"))
    with Image.open(io.BytesIO(cleaned.content)) as img:
        assert not img.getexif()
        assert "exif" not in img.info
    assert b"Owner Name" not in cleaned.content
    assert b"SN-777" not in cleaned.content
    assert b"PhoneMaker" not in cleaned.content


def test_video_loses_location_boxes_and_creation_times_but_keeps_its_frames():
    raw = mp4_with_location(b"+12.6800+108.0400/")
    cleaned = clean_video(raw)
    assert cleaned.content_type == "video/mp4"
    assert b"+12.6800+108.0400/" not in cleaned.content
    assert b"com.apple.quicktime.location" not in cleaned.content
    assert b"xmpmeta" not in cleaned.content
    assert struct_times(cleaned.content) == {0}
    assert video_packets_md5(cleaned.content) == video_packets_md5(raw)


def struct_times(content: bytes) -> set[int]:
    times = set()
    for kind in (b"mvhd", b"tkhd", b"mdhd"):
        at = content.index(kind) + 4 + 4  # past the type and version/flags
        times.add(int.from_bytes(content[at : at + 4], "big"))
        times.add(int.from_bytes(content[at + 4 : at + 8], "big"))
    return times


def test_malformed_video_is_refused():
    raw = bytearray(mp4_with_location())
    raw[0:4] = (999_999).to_bytes(4, "big")  # ftyp claims to run past the end
    with pytest.raises(MediaError):
        clean_video(bytes(raw))


def test_content_type_comes_from_the_bytes_not_the_name():
    assert sniff_content_type(jpeg_with_gps()) == "image/jpeg"
    assert sniff_content_type(mp4_with_location()) == "video/mp4"
    assert sniff_content_type(b"<html><script>alert(1)</script>") == "application/octet-stream"
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    assert sniff_content_type(heic) == "image/heic"


def test_upload_that_is_neither_photo_nor_video_is_refused():
    with pytest.raises(MediaError):
        clean_upload(b"%PDF-1.7 not a photo", **LIMITS)
    with pytest.raises(MediaError):
        clean_upload(b"<svg onload=alert(1)>", **LIMITS)


def test_upload_sizes_are_bounded_by_kind():
    with pytest.raises(MediaError, match="too large"):
        clean_upload(jpeg_with_gps(), max_image_bytes=100, max_video_bytes=10**9)
    with pytest.raises(MediaError, match="too large"):
        clean_upload(mp4_with_location(), max_image_bytes=10**9, max_video_bytes=100)


def test_upload_of_a_photo_is_cleaned():
    upload = clean_upload(jpeg_with_gps(), **LIMITS)
    assert upload.kind == "image"
    assert upload.content_type == "image/jpeg"
    with Image.open(io.BytesIO(upload.content)) as img:
        assert not img.getexif()

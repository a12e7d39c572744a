"""Sample media and form helpers shared by the protection tests (tips, Open311, vault,
the whole-database anonymity test)."""

from __future__ import annotations

import io
import struct
from typing import Any

from PIL import Image

from binhyen.lib.tests.video_samples import add_to_moov, box, plain_mp4
from binhyen.tips import spam

GPS_LAT = (12.0, 40.0, 47.0)
GPS_LON = (108.0, 2.0, 15.0)


def jpeg_with_gps(*, artist: str = "Photographer", serial: str = "SN-12345") -> bytes:
    """A real JPEG as a phone camera writes it: EXIF with make, model, owner, serial number,
    date and a GPS position."""
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x013B] = artist  # Artist
    exif[0x0132] = "2026:03:21 20:30:00"  # DateTime
    exif[0xA431] = serial  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: GPS_LAT, 3: "E", 4: GPS_LON}  # GPSInfo
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def mp4_with_location(location: bytes = b"+12.6800+108.0400/") -> bytes:
    """A real phone-like MP4 (made with ffmpeg, see lib/tests/video_samples.py) with
    `location` in moov/udta/©xyz and in a moov/meta keys box, and an XMP uuid box."""
    xyz = box(b"\xa9xyz", struct.pack(">HH", len(location), 0x15C7) + location)
    keys = box(b"keys", b"\x00" * 8 + b"com.apple.quicktime.location.ISO6709")
    meta = box(b"meta", b"\x00\x00\x00\x00" + keys + box(b"ilst", box(b"data", location)))
    xmp = box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + b"<x:xmpmeta GPS/>")
    return add_to_moov(plain_mp4(), box(b"udta", xyz) + meta, trak_udta=xyz) + xmp


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid anonymous web tip, as a phone would post it (form shown a minute ago)."""
    import secrets
    import time

    from django.core import signing

    token = (
        signing.dumps(
            {"n": secrets.token_hex(8), "t": round(time.time() - 60, 1)}, salt=spam._FORM_SALT
        )
        if "started" not in overrides
        else overrides.pop("started")
    )
    data: dict[str, Any] = {
        "what": "Có nhóm thanh niên tụ tập đua xe, mang theo hung khí.",
        "category": "public_order",
        "when": "now",
        "occurred_at": "",
        "place": "24163",
        "address": "Đường Lê Duẩn, gần chợ",
        "location": "",
        "anonymous": "yes",
        "name": "",
        "phone": "",
        "email": "",
        "contact_address": "",
        "website": "",
        "started": token,
    }
    data.update(overrides)
    return data

"""Sample media and form helpers shared by the protection tests (tips, Open311, vault,
the whole-database anonymity test)."""

from __future__ import annotations

import io
import struct
from typing import Any

from PIL import Image

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


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_with_location(location: bytes = b"+12.6800+108.0400/") -> bytes:
    """A small ISO base media file shaped like a phone video: creation times in the
    movie/track/media headers, the position in moov/udta/©xyz and in a moov/meta keys box,
    an XMP uuid box, and the frames in mdat."""
    when = struct.pack(">II", 3_800_000_000, 3_800_000_001)  # creation, modification
    mvhd = _box(b"mvhd", b"\x00\x00\x00\x00" + when + b"\x00" * 88)
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x07" + when + b"\x00" * 72)
    mdhd = _box(b"mdhd", b"\x00\x00\x00\x00" + when + b"\x00" * 12)
    xyz = _box(b"\xa9xyz", struct.pack(">HH", len(location), 0x15C7) + location)
    udta = _box(b"udta", xyz)
    keys = _box(b"keys", b"\x00" * 8 + b"com.apple.quicktime.location.ISO6709")
    ilst = _box(b"ilst", _box(b"data", location))
    meta = _box(b"meta", b"\x00\x00\x00\x00" + keys + ilst)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + _box(b"udta", xyz)))
    moov = _box(b"moov", mvhd + trak + udta + meta)
    xmp = _box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + b"<x:xmpmeta GPS/>")
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    mdat = _box(b"mdat", b"FRAMES-" * 50)
    return ftyp + moov + xmp + mdat


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

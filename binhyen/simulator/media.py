"""Small media helpers for the simulator: content sniffing, multipart parsing, stickers.

Standard library only, so the simulator runs without the project's dependencies.
"""

from __future__ import annotations

import colorsys
import struct
import zlib
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

STICKERS: dict[str, tuple[str, str]] = {
    # id -> (emoji shown on the phone, label); ids look like Zalo's numeric sticker ids.
    "46891": ("👍", "Thích"),
    "46892": ("🙏", "Cảm ơn"),
    "46893": ("❤️", "Yêu thương"),
    "46894": ("😮", "Ngạc nhiên"),
    "46895": ("😢", "Buồn"),
}


def sniff_image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes, str]]:
    """Form fields of a multipart/form-data body: name -> (filename, bytes, content type)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, tuple[str, bytes, str]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (
            part.get_filename() or "",
            payload if isinstance(payload, bytes) else b"",
            part.get_content_type(),
        )
    return fields


def sticker_png(sticker_id: str, size: int = 96) -> bytes:
    """A plain coloured disc as PNG: something real to download and show for a sticker."""
    hue = (int(sticker_id) % 360) / 360 if sticker_id.isdigit() else 0.6
    red, green, blue = (int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.95))
    centre, radius = (size - 1) / 2, size * 0.45
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter byte: none
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre) ** 2 <= radius**2
            row += bytes((red, green, blue, 255)) if inside else b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )

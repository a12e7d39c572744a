"""Images and files from citizens and officers: checked by content, cleaned of metadata.

Every image is decoded and re-encoded with Pillow, which drops EXIF (GPS, camera serial,
owner name) and anything appended after the image data. What cannot be decoded as an
image is not treated as one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Decompression-bomb guard: ~40 megapixels is more than any phone camera sends.
Image.MAX_IMAGE_PIXELS = 40_000_000

ZALO_IMAGE_MAX_BYTES = 1_000_000  # zalo-oa.md §3.2: jpg/png ≤ 1 MB


class MediaError(Exception):
    pass


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"#!AMR", 0, "audio/amr"),
    (b"ftyp", 4, "video/mp4"),
    (b"\xd0\xcf\x11\xe0", 0, "application/msword"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"RIFF", 0, "application/octet-stream"),
]


def sniff_content_type(content: bytes) -> str:
    """A content type from the bytes themselves, never from a name or a header."""
    for magic, offset, ctype in _SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return ctype
    if content[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def clean_image(
    content: bytes, *, max_side: int = 2560, max_bytes: int | None = None
) -> CleanImage:
    """Decode, apply the EXIF orientation, drop all metadata, re-encode.

    JPEG stays JPEG; PNG/GIF/WebP become PNG when they have transparency, else JPEG.
    With `max_bytes`, quality and size step down until the result fits.
    """
    try:
        with Image.open(io.BytesIO(content)) as opened:
            opened.load()
            oriented = ImageOps.exif_transpose(opened)
            has_alpha = oriented.mode in ("RGBA", "LA") or (
                oriented.mode == "P" and "transparency" in oriented.info
            )
            img = oriented.convert("RGBA" if has_alpha else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError("not a readable image") from exc

    side = max_side
    quality = 88
    while True:
        work = img.copy()
        work.thumbnail((side, side))
        buf = io.BytesIO()
        if has_alpha:
            work.save(buf, format="PNG", optimize=True)
            ctype, ext = "image/png", ".png"
        else:
            work.save(buf, format="JPEG", quality=quality, optimize=True)
            ctype, ext = "image/jpeg", ".jpg"
        data = buf.getvalue()
        if max_bytes is None or len(data) <= max_bytes or side <= 320:
            return CleanImage(data, ctype, ext, work.width, work.height)
        if has_alpha or quality <= 60:
            side = int(side * 0.75)
            quality = 80
        else:
            quality -= 10

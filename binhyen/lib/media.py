"""Images and files from citizens and officers: checked by content, cleaned of metadata.

Every image is decoded and re-encoded with Pillow from its pixels alone: EXIF (GPS, camera
serial, owner name), XMP, comments (JPEG COM, PNG tEXt/zTXt/iTXt, GIF comment blocks), ICC
profiles (colours converted to sRGB first) and anything appended after the image data are
left behind. What cannot be decoded as an
image is not treated as one. MP4/MOV/3GP videos are rewritten by ffmpeg with their frames
and sound as they were and nothing else (`clean_video`); without ffmpeg, videos are refused.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow logs every EXIF tag it reads or writes at DEBUG, values included (GPS position,
# owner name, serial number): a debug log level must never copy them into the logs.
for _name in ("PIL", "PIL.Image", "PIL.TiffImagePlugin", "PIL.JpegImagePlugin"):
    logging.getLogger(_name).setLevel(logging.INFO)

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
    (b"\xd0\xcf\x11\xe0", 0, "application/msword"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"RIFF", 0, "application/octet-stream"),
]


def sniff_content_type(content: bytes) -> str:
    """A content type from the bytes themselves, never from a name or a header."""
    iso = iso_media_type(content)
    if iso is not None:
        return iso[0]
    if content[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
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


def _to_srgb(img: Image.Image) -> Image.Image:
    """Colours as the embedded ICC profile meant them, in sRGB (the profile itself is not
    kept: it is free-form data like any other block)."""
    profile = img.info.get("icc_profile")
    if not profile or img.mode not in ("RGB", "RGBA"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            img, source, ImageCms.createProfile("sRGB"), outputMode=img.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return img
    return converted if converted is not None else img


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
            img = _to_srgb(oriented).convert("RGBA" if has_alpha else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError("not a readable image") from exc

    # Comments and text travel in `info` (JPEG COM, PNG tEXt/zTXt/iTXt, GIF comment
    # extensions) and Pillow writes some of them back on save: start from nothing.
    img.info = {}
    side = max_side
    quality = 88
    while True:
        work = img.copy()
        work.info = {}
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


# --- videos (ISO base media: MP4, MOV, 3GP) --------------------------------------------------
#
# A video is rewritten by ffmpeg with stream copy (frames and sound bit for bit), keeping
# only the video and audio streams (GPS subtitle and data tracks, cover pictures and
# chapters stay behind) and no metadata at all: the container is written anew, so
# top-level `free` boxes with a dash cam's NMEA text, `gps ` boxes, `udta`, `meta`,
# `©xyz`, `loci`, XMP and vendor boxes are not copied. Our own box walker then blanks
# what ffmpeg writes by itself (an empty `udta/meta`), zeroes the creation times and
# checks the result: a file with any metadata box left is refused, never stored.

_VIDEO_BRANDS: dict[bytes, tuple[str, str]] = {
    b"qt  ": ("video/quicktime", ".mov"),
    b"3gp4": ("video/3gpp", ".3gp"),
    b"3gp5": ("video/3gpp", ".3gp"),
    b"3gp6": ("video/3gpp", ".3gp"),
    b"3g2a": ("video/3gpp2", ".3g2"),
}
_MUXERS = {"video/quicktime": "mov", "video/3gpp": "3gp", "video/3gpp2": "3g2"}
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
# Boxes that only group other boxes: walked to find the metadata inside them.
_CONTAINERS = {
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"moof", b"traf", b"mvex",
}  # fmt: skip
# Boxes that carry metadata (location ©xyz/loci, Android/Apple keys, XMP, maker notes).
_METADATA = {b"udta", b"meta", b"uuid", b"XMP_", b"\xa9xyz", b"loci", b"gps ", b"keys", b"ilst"}
# Boxes whose header holds creation/modification times (when and, with them, where).
_TIMED = {b"mvhd", b"tkhd", b"mdhd"}
# What a cleaned file may hold at its top level (free/skip only when empty).
_TOP_LEVEL = {b"ftyp", b"wide", b"free", b"skip", b"mdat", b"moov"}
_FFMPEG_SECONDS = 120


class MediaUnavailable(MediaError):
    """The tool that cleans this kind of file is not installed: the file is refused."""


@dataclass(frozen=True)
class CleanVideo:
    content: bytes
    content_type: str
    extension: str


def iso_media_type(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an ISO base media file from its `ftyp` brand, else None."""
    if content[4:8] != b"ftyp" or len(content) < 12:
        return None
    brand = content[8:12]
    if brand in _IMAGE_BRANDS:
        return ("image/heic", ".heic") if brand != b"avif" else ("image/avif", ".avif")
    return _VIDEO_BRANDS.get(brand, ("video/mp4", ".mp4"))


def _boxes(data: bytes | bytearray, start: int, end: int) -> list[tuple[int, int, int, bytes]]:
    """(box start, payload start, box end, type) of each box in data[start:end]."""
    out = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise MediaError("truncated box header")
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = bytes(data[pos + 4 : pos + 8])
        header = 8
        if size == 1:
            if end - pos < 16:
                raise MediaError("truncated box header")
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise MediaError("box size out of bounds")
        out.append((pos, pos + header, pos + size, kind))
        pos += size
    return out


def iso_boxes(content: bytes) -> list[tuple[bytes, int, bytes]]:
    """Every box of an ISO base media file as (type, depth, payload), walking containers."""
    out: list[tuple[bytes, int, bytes]] = []

    def walk(start: int, end: int, depth: int) -> None:
        if depth > 12:
            raise MediaError("boxes nested too deeply")
        for _box_start, payload, box_end, kind in _boxes(content, start, end):
            out.append((kind, depth, content[payload:box_end]))
            if kind in _CONTAINERS:
                walk(payload, box_end, depth + 1)

    walk(0, len(content), 0)
    return out


def _blank(data: bytearray, box_start: int, payload_start: int, box_end: int) -> None:
    # Same size, type `free`: no offset elsewhere in the file moves, players skip it.
    data[box_start + 4 : box_start + 8] = b"free"
    data[payload_start:box_end] = bytes(box_end - payload_start)


def _zero_times(data: bytearray, payload_start: int, box_end: int) -> None:
    if box_end - payload_start < 4:
        raise MediaError("truncated time box")
    width = 8 if data[payload_start] == 1 else 4
    first = payload_start + 4
    if first + 2 * width > box_end:
        raise MediaError("truncated time box")
    data[first : first + 2 * width] = bytes(2 * width)


def _scrub(data: bytearray, start: int, end: int, depth: int = 0) -> None:
    if depth > 12:
        raise MediaError("boxes nested too deeply")
    for box_start, payload, box_end, kind in _boxes(data, start, end):
        if kind in _METADATA or (kind in {b"free", b"skip"} and depth > 0):
            _blank(data, box_start, payload, box_end)
        elif kind in _TIMED:
            _zero_times(data, payload, box_end)
        elif kind in _CONTAINERS:
            _scrub(data, payload, box_end, depth + 1)


def _check_clean(content: bytes) -> None:
    """Refuse a rewritten file that still holds a metadata box or free-form bytes."""
    for kind, depth, payload in iso_boxes(content):
        if depth == 0 and kind not in _TOP_LEVEL:
            raise MediaError(f"metadata box {kind!r} survived cleaning")
        if kind in _METADATA:
            raise MediaError(f"metadata box {kind!r} survived cleaning")
        if kind in {b"free", b"skip"} and payload.strip(b"\x00"):
            raise MediaError("a free box with content (metadata) survived cleaning")


def ffmpeg_path() -> str | None:
    """The ffmpeg executable (setting `FFMPEG`, default `ffmpeg` on the PATH), or None."""
    configured = "ffmpeg"
    with contextlib.suppress(ImproperlyConfigured):  # used outside Django (scripts)
        configured = str(getattr(settings, "FFMPEG", "") or "ffmpeg")
    return shutil.which(configured)


def _remux(content: bytes, fmt: str) -> bytes:
    """The same streams in a new `fmt` container, with nothing but video and audio."""
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise MediaUnavailable("ffmpeg is not installed: videos cannot be cleaned")
    with tempfile.TemporaryDirectory(prefix="binhyen-video-") as tmp:
        source, target = Path(tmp) / "in", Path(tmp) / f"out.{fmt}"
        source.write_bytes(content)
        cmd = [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1",
            # Read only this file, as ISO media: no other demuxer, no URL or file a
            # crafted movie points to (data references, playlists) is ever opened.
            "-protocol_whitelist", "file", "-f", "mov", "-i", str(source),
            # Video (not cover pictures) and audio; no subtitle, data or timecode track.
            "-map", "0:V?", "-map", "0:a?", "-sn", "-dn",
            "-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1",
            "-map_chapters", "-1", "-c", "copy", "-write_tmcd", "0",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart", "-f", fmt, str(target),
        ]  # fmt: skip
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=_FFMPEG_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise MediaError("video cleaning timed out") from exc
        if done.returncode != 0 or not target.exists():
            # ffmpeg's message names the temporary file only; keep it short.
            raise MediaError("not a video ffmpeg can read: " + done.stderr.decode()[-200:])
        return target.read_bytes()


def clean_video(content: bytes) -> CleanVideo:
    """Rewrite an MP4/MOV/3GP video without any metadata (see above): same frames and
    sound, no location, no device keys, no XMP, no creation times, no extra tracks.

    Raises MediaUnavailable when ffmpeg is missing and MediaError for anything that is not
    a well-formed ISO base media video or that still held metadata after cleaning: such a
    video is refused, never kept as it came.
    """
    kind = iso_media_type(content)
    if kind is None or not kind[0].startswith("video/"):
        raise MediaError("not an MP4/MOV/3GP video")
    if not any(k == b"moov" for _s, _p, _e, k in _boxes(content, 0, len(content))):
        raise MediaError("video without a movie header")
    data = bytearray(_remux(content, _MUXERS.get(kind[0], "mp4")))
    _scrub(data, 0, len(data))
    cleaned = bytes(data)
    _check_clean(cleaned)
    return CleanVideo(cleaned, kind[0], kind[1])


# --- uploads from citizens -------------------------------------------------------------------


@dataclass(frozen=True)
class CleanUpload:
    """A citizen's file after checking and cleaning: what officers and exports get."""

    kind: str  # "image" | "video"
    content: bytes
    content_type: str
    extension: str


def clean_upload(content: bytes, *, max_image_bytes: int, max_video_bytes: int) -> CleanUpload:
    """Accept a photo or a video by its content (never its name or declared type), bounded
    in size, with its metadata removed. Anything else raises MediaError."""
    sniffed = sniff_content_type(content)
    iso = iso_media_type(content)
    if sniffed in {"image/jpeg", "image/png", "image/gif", "image/webp"}:
        if len(content) > max_image_bytes:
            raise MediaError("image too large")
        image = clean_image(content)
        return CleanUpload("image", image.content, image.content_type, image.extension)
    if iso is not None and iso[0].startswith("video/"):
        if len(content) > max_video_bytes:
            raise MediaError("video too large")
        video = clean_video(content)
        return CleanUpload("video", video.content, video.content_type, video.extension)
    raise MediaError("unsupported file type")

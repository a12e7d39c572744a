"""Real videos in the layouts phones and dash cams write, made with ffmpeg, with location
data where those devices put it.

ffmpeg encodes a one-second clip (frames and sound are real, so the cleaned file can be
decoded and compared); the metadata boxes are then added the way the devices write them:

* iPhone (QuickTime .mov): `moov/meta` with `keys` + `ilst` holding
  `com.apple.quicktime.location.ISO6709` (written by ffmpeg's `use_metadata_tags`), and
  the older `moov/udta/©xyz`; creation times in the movie, track and media headers.
* Android (MediaRecorder .mp4): `moov/udta/©xyz`, 3GPP `loci` boxes (in `udta` and
  directly in `moov`), an XMP `uuid` box.
* Dash cam (Novatek-style .mp4): NMEA sentences (`$GPRMC`) in a top-level `free` box and
  in a `gps ` box, `udta/©xyz`, and a timed-text (`mov_text`) track with the position and
  speed of every second — what players show as subtitles.

ffmpeg writes `moov` after `mdat`, so boxes added inside or after `moov` move no frame
offset: the files stay valid.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

LAT, LON = "+12.6800", "+108.0400"
ISO6709 = f"{LAT}{LON}/".encode()
NMEA = b"$GPRMC,203000.00,A,1240.8000,N,10802.4000,E,24.3,90.0,210326,,,A*6C"
SUBTITLE_GPS = "N12.6800 E108.0400 45km/h"
# Any of these in a cleaned file means the position survived.
LOCATION_MARKERS = (b"12.68", b"108.04", b"1240.8", b"10802.4", b"$GPRMC", b"ISO6709")


def ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise RuntimeError(
            "ffmpeg is required for the video tests (Debian: apt-get install ffmpeg)"
        )
    return path


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def top_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    out, pos = [], 0
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        out.append((data[pos + 4 : pos + 8], pos, pos + size))
        pos += size
    return out


def add_to_moov(data: bytes, extra: bytes, *, trak_udta: bytes = b"") -> bytes:
    """Append `extra` boxes at the end of `moov` (which must be the last top-level box),
    and `trak_udta` as a `udta` box of the first track."""
    kinds = top_boxes(data)
    kind, start, end = kinds[-1]
    assert kind == b"moov", "ffmpeg was expected to write moov last"
    payload = data[start + 8 : end]
    if trak_udta:
        t = payload.index(b"trak") - 4
        t_size = int.from_bytes(payload[t : t + 4], "big")
        trak = box(b"trak", payload[t + 8 : t + t_size] + box(b"udta", trak_udta))
        payload = payload[:t] + trak + payload[t + t_size :]
    return data[:start] + box(b"moov", payload + extra)


def _encode(args: list[str], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="binhyen-video-") as tmp:
        out = Path(tmp) / f"clip{suffix}"
        srt = Path(tmp) / "gps.srt"
        srt.write_text(f"1\n00:00:00,000 --> 00:00:01,000\n{SUBTITLE_GPS}\n", encoding="utf-8")
        cmd = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
        cmd += ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1"]
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
        cmd += [a.replace("{srt}", str(srt)) for a in args] + [str(out)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        return out.read_bytes()


def _xyz() -> bytes:
    return box(b"\xa9xyz", struct.pack(">HH", len(ISO6709), 0x15C7) + ISO6709)


def _loci() -> bytes:
    # 3GPP TS 26.244 loci: version/flags, language, name, role, lon, lat, alt (16.16),
    # astronomical body, notes.
    fixed = struct.pack(">iii", int(108.04 * 65536), int(12.68 * 65536), 0)
    return box(
        b"loci", b"\x00" * 4 + b"\x15\xc7" + b"Ho Guom\x00" + b"\x00" + fixed + b"earth\x00\x00"
    )


def _xmp() -> bytes:
    uuid = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
    return box(b"uuid", uuid + b"<x:xmpmeta><exif:GPSLatitude>12.68</exif:GPSLatitude></x:xmpmeta>")


@lru_cache(maxsize=1)
def plain_mp4() -> bytes:
    """One second of video and sound, no location (other helpers add theirs)."""
    return _encode(
        ["-map", "0", "-map", "1", "-c:v", "libx264", "-c:a", "aac", "-f", "mp4"], ".mp4"
    )


@lru_cache(maxsize=1)
def phone_mov() -> bytes:
    """An iPhone-like QuickTime movie with its position in keys/ilst and udta/©xyz."""
    raw = _encode(
        [
            "-map", "0", "-map", "1", "-c:v", "libx264", "-c:a", "aac",
            "-metadata", f"com.apple.quicktime.location.ISO6709={LAT}{LON}+012.000/",
            "-metadata", "com.apple.quicktime.make=Apple",
            "-metadata", "com.apple.quicktime.model=iPhone 15",
            "-metadata", "creation_time=2026-03-21T20:30:00Z",
            "-movflags", "use_metadata_tags", "-f", "mov",
        ],
        ".mov",
    )  # fmt: skip
    return add_to_moov(raw, box(b"udta", _xyz()))


@lru_cache(maxsize=1)
def android_mp4() -> bytes:
    """An Android-like MP4: udta/©xyz, a 3GPP loci box, and an XMP uuid box after moov."""
    raw = _encode(
        [
            "-map", "0", "-map", "1", "-c:v", "libx264", "-c:a", "aac",
            "-metadata", "creation_time=2026-03-21T20:30:00Z", "-f", "mp4",
        ],
        ".mp4",
    )  # fmt: skip
    extra = box(b"udta", _xyz() + _loci()) + _loci()  # some writers put loci in moov itself
    return add_to_moov(raw, extra, trak_udta=_xyz()) + _xmp()


@lru_cache(maxsize=1)
def dashcam_mp4() -> bytes:
    """A dash-cam-like MP4: a GPS subtitle track, NMEA text in a top-level free box and a
    `gps ` box, and udta/©xyz."""
    raw = _encode(
        [
            "-i", "{srt}", "-map", "0", "-map", "1", "-map", "2",
            "-c:v", "libx264", "-c:a", "aac", "-c:s", "mov_text",
            "-metadata", "creation_time=2026-03-21T20:30:00Z", "-f", "mp4",
        ],
        ".mp4",
    )  # fmt: skip
    with_udta = add_to_moov(raw, box(b"udta", _xyz()))
    return with_udta + box(b"free", NMEA * 4 + b"\x00" * 64) + box(b"gps ", b"\x00" * 8 + NMEA)


LAYOUTS = {"iphone-mov": phone_mov, "android-mp4": android_mp4, "dashcam-mp4": dashcam_mp4}


def probe_streams(content: bytes) -> list[str]:
    """The codec types ffprobe finds in `content` (e.g. ["video", "audio"])."""
    return [s.split("=", 1)[1] for s in _probe(content, "stream=codec_type") if "=" in s]


def probe_tags(content: bytes) -> str:
    """Every tag ffprobe reads from the container and its streams."""
    return "\n".join(_probe(content, "format_tags:stream_tags"))


def _probe(content: bytes, entries: str) -> list[str]:
    ffprobe = shutil.which("ffprobe") or ffmpeg().replace("ffmpeg", "ffprobe")
    with tempfile.NamedTemporaryFile(suffix=".mp4") as fh:
        fh.write(content)
        fh.flush()
        out = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", entries, "-of", "default=nw=1", fh.name],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return out.stdout.decode("utf-8", "replace").splitlines()


def video_packets_md5(content: bytes) -> str:
    """MD5 of the video stream's packets: equal before and after a lossless rewrite."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as fh:
        fh.write(content)
        fh.flush()
        out = subprocess.run(
            [ffmpeg(), "-v", "error", "-nostdin", "-i", fh.name, "-map", "0:v:0", "-c", "copy",
             "-f", "md5", "-"],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    return out.stdout.decode().strip()

"""Comment and text blocks in photos (JPEG COM, PNG tEXt/zTXt/iTXt, GIF comments) carry
whatever the camera or an editing app wrote there — a name, a place, coordinates — and
must not survive cleaning."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

from binhyen.lib.media import clean_image, clean_upload

SECRET = "Nguyen Van A, 12.6800N 108.0400E"
LIMITS = {"max_image_bytes": 10_000_000, "max_video_bytes": 25_000_000}


def _jpeg_with_comment() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buf, format="JPEG", comment=SECRET.encode())
    return buf.getvalue()


def _png_with_text(alpha: bool) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)  # tEXt
    info.add_text("Author", SECRET, zip=True)  # zTXt
    info.add_itxt("Description", SECRET, lang="vi", tkey="Mô tả")  # iTXt
    info.add_text("comment", SECRET)
    buf = io.BytesIO()
    mode = "RGBA" if alpha else "RGB"
    Image.new(mode, (32, 24), (10, 120, 200, 128)[: len(mode)]).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _gif_with_comment() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (32, 24), 3).save(buf, format="GIF", comment=SECRET.encode())
    return buf.getvalue()


def _leaks(content: bytes) -> bool:
    if SECRET.encode() in content:
        return True
    with Image.open(io.BytesIO(content)) as img:  # Pillow inflates zTXt/iTXt into .info
        return any(SECRET in str(v) for v in img.info.values())


def test_samples_really_carry_the_text():
    assert SECRET.encode() in _jpeg_with_comment()
    assert SECRET.encode() in _png_with_text(alpha=True)
    assert SECRET.encode() in _gif_with_comment()


def test_jpeg_comment_is_removed_by_image_cleaning():
    cleaned = clean_image(_jpeg_with_comment())
    assert b"\xff\xfe" not in cleaned.content[: cleaned.content.index(b"\xff\xda")]  # no COM
    assert not _leaks(cleaned.content)


def test_png_text_chunks_are_removed_by_image_cleaning():
    for alpha in (True, False):
        cleaned = clean_image(_png_with_text(alpha))
        assert cleaned.content_type == ("image/png" if alpha else "image/jpeg")
        for chunk in (b"tEXt", b"zTXt", b"iTXt"):
            assert chunk not in cleaned.content
        assert not _leaks(cleaned.content)


def test_gif_comment_is_removed_by_image_cleaning():
    cleaned = clean_upload(_gif_with_comment(), **LIMITS)
    assert not _leaks(cleaned.content)
    assert b"\xff\xfe" not in cleaned.content[: cleaned.content.index(b"\xff\xda")]

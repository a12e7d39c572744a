from __future__ import annotations

from django.core import checks


def test_check_warns_when_ffmpeg_is_missing(settings):
    settings.FFMPEG = "/nonexistent/ffmpeg"
    assert "binhyen.W001" in {m.id for m in checks.run_checks()}


def test_check_is_quiet_when_ffmpeg_is_there():
    assert "binhyen.W001" not in {m.id for m in checks.run_checks()}

"""System checks shown by `binhyen check` (and at every `binhyen serve`)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register

from binhyen.lib.media import ffmpeg_path


@register()
def ffmpeg_installed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if ffmpeg_path() is not None:
        return []
    return [
        Warning(
            "ffmpeg was not found: citizens' videos will be refused instead of cleaned.",
            hint="Install ffmpeg (Debian: apt-get install ffmpeg) or set BINHYEN_FFMPEG.",
            id="binhyen.W001",
        )
    ]

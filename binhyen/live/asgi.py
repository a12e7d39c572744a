"""The live server's ASGI entry point: `uvicorn binhyen.live.asgi:application`."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
django.setup()

from binhyen.live.server import LiveApp  # noqa: E402

application = LiveApp()

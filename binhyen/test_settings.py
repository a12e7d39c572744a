"""Settings for the test suite: the real settings, with the outside world switched off."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("BINHYEN_ENV", "test")
_tmp = Path(tempfile.mkdtemp(prefix="binhyen-test-"))
os.environ.setdefault("BINHYEN_VAR_DIR", str(_tmp))

from binhyen.settings import *  # noqa: E402,F403
from binhyen.settings import DATABASES  # noqa: E402

MEDIA_ROOT = _tmp / "media"
# Nothing may reach the network: Zalo points at a closed local port unless a test starts
# the simulator, and media may only come from local fake servers.
ZALO_OPENAPI_URL = "http://127.0.0.1:9"
ZALO_OAUTH_URL = "http://127.0.0.1:9"
MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
# The closed port above refuses at once; retrying it only slows the suite down.
HTTP_CONNECT_RETRIES = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that tests with real threads share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
if "inbox" in DATABASES:
    DATABASES["inbox"]["TEST"] = {"NAME": str(_tmp / "test-inbox.sqlite3")}
# Tests that exercise the audit anchor file point this at their own temporary file; the
# suite's other tests must not verify against anchors written by an earlier test.
AUDIT_ANCHOR_FILE = ""
# Figures are computed afresh in every test (ids repeat across rolled-back tests).
CACHES["monitoring"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405

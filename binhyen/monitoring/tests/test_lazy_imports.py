"""Web and worker processes start without the report-drawing libraries: matplotlib,
reportlab and openpyxl (~36 MB of every process's RSS) load in the process that draws."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "reportlab", "openpyxl")

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a web process imports them
import binhyen.monitoring.tasks, binhyen.channels.tasks  # and the worker's task modules
%s
print(",".join(m for m in %r if m in sys.modules) or "-")
"""


def _loaded(tmp_path, extra: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["BINHYEN_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (extra, HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_web_and_worker_start_without_report_libraries(tmp_path):
    assert _loaded(tmp_path) == "-"
    # The process that renders a report loads them (and the probe sees it).
    rendering = "from binhyen.monitoring import pdf, xlsx, charts; charts._pyplot()"
    assert _loaded(tmp_path, rendering) == "matplotlib,reportlab,openpyxl"

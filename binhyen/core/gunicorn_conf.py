"""Gunicorn settings of `binhyen serve` that only a config module can give: worker hooks.

`post_worker_init` runs in each web worker once it has loaded the WSGI application. It loads
the URLconf (every view module and what they import: the triage and knowledge libraries),
which Django would otherwise do on the worker's first request, then moves every object
alive at that point into the garbage collector's permanent generation (`gc.freeze()`).
A worker holds ~180,000 tracked objects after start-up; without the freeze each full
collection walks all of them (65 ms measured, several times per 2,000 webhooks: the
webhook's p99), although none of them is ever garbage. Objects created later are collected
as before.
"""

from __future__ import annotations

import gc
from typing import Any

# The command-line flags of `binhyen serve`'s gunicorn (it adds the bind, the worker count,
# this module as `--config` and the access log); bench/webhook_load.py gives the same flags
# to its bare Django reference so both are served alike.
SYNC_FLAGS = [
    "--worker-class",
    "sync",
    "--timeout",
    "30",
    "--graceful-timeout",
    "10",
    "--max-requests",
    "5000",
    "--max-requests-jitter",
    "500",
    "--log-level",
    "warning",
]


def post_worker_init(worker: Any) -> None:
    # deferred: gunicorn reads this module in its master, before Django is set up
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view now, not on a request)
    gc.collect()
    gc.freeze()

"""Health endpoints and the console's front door."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from binhyen.triage import engine


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers a query and a triage model is at hand (an active version,
    or the default file built from the current seed): the first tip after a deploy is read
    as fast as any other, never after seconds of training."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    if not engine.model_ready():
        return JsonResponse(
            {"status": "starting", "database": connection.vendor, "triage_model": "missing"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor, "triage_model": "ready"})


def home(request: HttpRequest) -> HttpResponse:
    return redirect("cases:inbox")

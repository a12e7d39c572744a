"""The one view of the bare reference, and `readyz` for the benchmark's start-up poll."""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST


@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    raw = request.body
    try:
        payload = json.loads(raw)
        key = f"{payload['event_name']}:{payload['message']['msg_id']}"
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad payload"}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bare_inbound (key, payload) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
            [key, raw.decode()],
        )
    return JsonResponse({"ok": True})


def readyz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ready": True})


def create_table() -> None:
    """Create `bare_inbound` in `BARE_DATABASE_URL` (run once, before gunicorn starts)."""
    id_column = (
        "id bigserial PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "id integer PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bare_inbound ({id_column}, key varchar(200) NOT NULL "
            "UNIQUE, payload text NOT NULL, received_at timestamp NOT NULL "
            "DEFAULT CURRENT_TIMESTAMP)"
        )


urlpatterns = [path("webhooks/zalo/", webhook), path("readyz", readyz)]

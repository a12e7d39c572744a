"""The console header shows a unit's open reminders to its own staff (one query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from binhyen.monitoring.models import Reminder


def reminders(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "open_reminders_count": SimpleLazyObject(
            lambda: (
                Reminder.objects.filter(unit__memberships__user=user, acknowledged_at__isnull=True)
                .distinct()
                .count()
            )
        )
    }

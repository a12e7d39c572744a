"""Database routing: raw inbound events go to the inbox database when there is one.

With SQLite (one writer at a time) the inbox is a separate file, so a webhook's single
INSERT never queues behind the worker's processing transactions. With PostgreSQL there
is no `inbox` alias and everything stays in `default`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

INBOX_MODELS = {("channels", "inboundevent")}


def inbox_alias() -> str:
    return "inbox" if "inbox" in settings.DATABASES else "default"


class InboxRouter:
    def _is_inbox(self, model: Any) -> bool:
        return (model._meta.app_label, model._meta.model_name) in INBOX_MODELS

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return inbox_alias() if self._is_inbox(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return inbox_alias() if self._is_inbox(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if db == "inbox":
            return (app_label, model_name) in INBOX_MODELS
        if inbox_alias() == "inbox" and (app_label, model_name) in INBOX_MODELS:
            return False
        return None

"""Monitoring's place on the path of a case (wired in `cases.services.lifecycle`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from binhyen.cases.models import Case, Contact, Conversation
from binhyen.monitoring import services


def satisfaction_ask(*, case: Case, previous: str, at: datetime, **_rest: Any) -> None:
    """A case ended: ask the citizen once how satisfied they are."""
    services.satisfaction_ask_on_close(case=case, previous=previous, at=at)


def satisfaction_reply(*, conversation: Conversation, text: str, at: datetime) -> Case | None:
    """ "5" after we asked is the answer, not a new case."""
    return services.satisfaction_claim_reply(conversation=conversation, text=text, at=at)


def page_followed(
    *, contact: Contact, following: bool, previous: bool | None, at: datetime, **_rest: Any
) -> None:
    services.follow_record(contact=contact, following=following, previous=previous, at=at)

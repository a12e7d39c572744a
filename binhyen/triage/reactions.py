"""How triage joins the path of a case (wired in `cases.services.lifecycle.REACTIONS`).

Triage never runs inside the webhook worker's transaction: receiving a message must not
wait for (or fail because of) the model. The task is queued in the same transaction, so it
exists exactly when the message does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from binhyen.cases.services import enqueue
from binhyen.triage import services

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case, Message


def message_received(*, case: Case, message: Message, opened: bool, **_rest: Any) -> None:
    if opened or message.text.strip() or message.has_location:
        enqueue("binhyen.triage.tasks.triage_case", case.pk, message.pk)


def case_classified(*, case: Case, actor: User | None, **_rest: Any) -> None:
    """An officer classified the case (panel or the general form): keep what differs from
    the machine's suggestion as a labelled example."""
    if actor is None:
        return
    suggestion = services.latest_suggestion(case)
    if suggestion is not None and suggestion.intent:
        services.classification_record(suggestion=suggestion, actor=actor, case=case)

"""How triage joins the path of a message: a task queued when a message is received.

Triage never runs inside the webhook worker's transaction: receiving a message must not
wait for (or fail because of) the model. The task is queued in the same transaction, so it
exists exactly when the message does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from binhyen.cases.services import enqueue

if TYPE_CHECKING:
    from binhyen.cases.models import Case, Message


def after_receive(*, case: Case, message: Message, opened: bool) -> None:
    if opened or message.text.strip() or message.has_location:
        enqueue("binhyen.triage.tasks.triage_case", case.pk, message.pk)

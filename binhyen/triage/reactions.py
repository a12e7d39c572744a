"""How triage joins the path of a case (wired in `cases.services.lifecycle.REACTIONS`).

Triage never runs inside the webhook worker's transaction: receiving a message must not
wait for (or fail because of) the model. The task is queued in the same transaction, so it
exists exactly when the message does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from binhyen.cases.services import enqueue
from binhyen.triage import duplicates, services, training

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case, Message
    from binhyen.vault.models import Identity


def message_received(*, case: Case, message: Message, opened: bool, **_rest: Any) -> None:
    if opened or message.text.strip() or message.has_location:
        enqueue("binhyen.triage.tasks.triage_case", case.pk, message.pk)


def case_classified(*, case: Case, actor: User | None, **_rest: Any) -> None:
    """An officer classified the case (panel or the general form): keep what differs from
    the machine's suggestion as a labelled example; a tip keeps its duplicate signature."""
    suggestion = services.latest_suggestion(case)
    if suggestion is not None:
        duplicates.signature_keep(case, suggestion)
    if actor is None:
        return
    if suggestion is not None and suggestion.intent:
        services.classification_record(suggestion=suggestion, actor=actor, case=case)


def case_transferred(*, case: Case, **_rest: Any) -> None:
    """Duplicates are searched by unit: the case's signature follows it."""
    duplicates.signature_follow_unit(case)


def identity_erased(*, identity: Identity, **_rest: Any) -> None:
    """A citizen's identity is erased (wired in `vault.services.ERASE_REACTIONS`): their
    labelled examples go, and models that may have learnt from them are replaced."""
    if training.examples_forget(identity=identity):
        enqueue("binhyen.triage.tasks.retrain_after_erasure")

"""How triage joins the path of a case (wired in `cases.services.lifecycle.REACTIONS`).

Receiving a message must never fail because of the model. In a worker's batch (the model
loaded, nobody waiting on an HTTP answer) the case is read inside the event's transaction,
within a savepoint: one commit per event, and a reading that fails is rolled back alone and
queued as a task. Elsewhere (the web form, Open311) the task is queued in the same
transaction, so it exists exactly when the message does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction

from binhyen.cases.services import enqueue
from binhyen.lib import memo, txbatch
from binhyen.triage import duplicates, services, training

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case, Message
    from binhyen.vault.models import Identity


def message_received(*, case: Case, message: Message, opened: bool, **_rest: Any) -> None:
    if not (opened or message.text.strip() or message.has_location):
        return
    if memo.active():
        # In a worker's batch the model is loaded: read the case in the event's own
        # transaction (one commit per event), inside a savepoint so that a failing reading
        # never loses the message; it is then queued and retried like before.
        if txbatch.active():
            # Several events share the transaction: an error ends the batch, which is then
            # replayed one event per transaction (with the savepoint below).
            services.case_triage(case=case, message=message, opened=opened)
            return
        try:
            with transaction.atomic():
                services.case_triage(case=case, message=message, opened=opened)
            return
        except Exception:
            log.exception("triage of case %s failed inline; queued", case.pk)
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

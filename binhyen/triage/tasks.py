"""Background work of triage. Each task re-reads its rows and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from binhyen.cases.models import Case, Message
from binhyen.triage.services import case_triage
from binhyen.triage.training import model_retrain_after_erasure


@task()
def triage_case(case_id: int, message_id: int | None = None) -> str:

    message = Message.objects.filter(pk=message_id).first() if message_id else None
    try:
        # case_triage locks and reads the case itself: only its id is needed here.
        suggestion = case_triage(case=Case(pk=case_id), message=message)
    except Case.DoesNotExist:
        return "gone"
    return (
        "skipped" if suggestion is None else f"{suggestion.intent or 'empty'}:{suggestion.routing}"
    )


@task()
def retrain_after_erasure() -> str:
    """A person was erased: train without their examples and activate the result whatever
    its score, then drop the weights of every older version (they may hold their words)."""
    return model_retrain_after_erasure().message

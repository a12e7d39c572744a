"""The path of a case, wired in one place.

The case services own every write to a case, its timeline and its outbound messages. When
a case moves they call `emit(event, ...)` inside their transaction, and the stages below
react, in the order listed. The stages that live above `cases` (clocks, duty alarms,
triage) are named by dotted path — the way Django names middleware — so `cases` never
imports them, and the whole path of a message reads from this one table.
`core/tests/test_layers.py` checks that every path resolves and sits above `cases`.

Reactions are keyword-only functions taking the event's arguments (below, per event); they
run inside the transaction of the change, so a reaction that fails undoes the change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

# event -> reactions, in order.  Arguments of each event:
#   received      case, message, opened      a citizen's message was stored in the case
#   opened        case, at                   a case was opened
#   acknowledged  case, at                   first officer action on the case
#   triaged       case, at                   the machine's reading was shown on the case
#   classified    case, before, at, actor    an officer classified the case (legal act)
#   transitioned  case, previous, at         the status changed
#   transferred   case, source, at, actor    the case moved to another unit
#   merged        duplicate, primary, at     a duplicate was merged into another case
#   extended      case, rule, at, months, reason   the resolution deadline was extended
#   notice_sent   case, code, at             an automatic notice was queued
#   followed      contact, following, previous, at   a citizen followed / unfollowed a page
REACTIONS: dict[str, tuple[str, ...]] = {
    "received": ("binhyen.triage.reactions.message_received",),
    "opened": (
        "binhyen.clocks.reactions.case_opened",
        "binhyen.cases.services.reactions.inbox_new",
    ),
    "acknowledged": (
        "binhyen.clocks.reactions.case_acknowledged",
        "binhyen.duty.reactions.case_acknowledged",
    ),
    "triaged": (
        "binhyen.clocks.reactions.case_triaged",
        "binhyen.duty.reactions.case_triaged",
        "binhyen.cases.services.reactions.acknowledgement_notice",
        "binhyen.knowledge.reactions.case_triaged",
        "binhyen.cases.services.reactions.inbox_updated",
    ),
    "classified": (
        "binhyen.clocks.reactions.case_classified",
        "binhyen.cases.services.reactions.receipt_notice",
        "binhyen.duty.reactions.case_classified",
        "binhyen.triage.reactions.case_classified",
    ),
    "transitioned": (
        "binhyen.clocks.reactions.case_transitioned",
        "binhyen.cases.services.reactions.result_notice",
        "binhyen.monitoring.reactions.satisfaction_ask",
        "binhyen.cases.services.reactions.inbox_updated",
    ),
    "transferred": (
        "binhyen.clocks.reactions.case_transferred",
        "binhyen.duty.reactions.case_transferred",
        "binhyen.triage.reactions.case_transferred",
        "binhyen.cases.services.reactions.inbox_updated",
    ),
    "merged": ("binhyen.clocks.reactions.case_merged",),
    "extended": ("binhyen.clocks.reactions.resolution_extended",),
    "notice_sent": ("binhyen.clocks.reactions.notice_sent",),
    "followed": ("binhyen.monitoring.reactions.page_followed",),
}

# A message that would open a new case may instead answer a question the page asked after a
# case ended ("Bạn hài lòng với cách xử lý không?" answered "5"). The first claimer that
# returns a case takes the message: it is stored on that case and opens nothing.
#   claimers: conversation, text, at -> Case | None
CLAIMERS: tuple[str, ...] = ("binhyen.monitoring.reactions.satisfaction_reply",)


@cache
def reactions(event: str) -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in REACTIONS[event])


def emit(event: str, **kwargs: Any) -> None:
    for react in reactions(event):
        react(**kwargs)


@cache
def _claimers() -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in CLAIMERS)


def claim(**kwargs: Any) -> Any:
    for claimer in _claimers():
        case = claimer(**kwargs)
        if case is not None:
            return case
    return None

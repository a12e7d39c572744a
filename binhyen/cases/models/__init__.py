from binhyen.cases.models.case import OPEN_STATUSES, Case, CaseEvent, Intent, Outcome, Status
from binhyen.cases.models.conversation import (
    FREE_WINDOW,
    PAID_WINDOW,
    Attachment,
    Contact,
    Conversation,
    Message,
    attachment_upload_to,
)
from binhyen.cases.models.dispatch import CaseOutcome, Dispatch

__all__ = [
    "FREE_WINDOW",
    "OPEN_STATUSES",
    "PAID_WINDOW",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseOutcome",
    "Contact",
    "Conversation",
    "Dispatch",
    "Intent",
    "Message",
    "Outcome",
    "Status",
    "attachment_upload_to",
]

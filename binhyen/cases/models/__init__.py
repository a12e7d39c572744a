from binhyen.cases.models.case import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Category,
    Intent,
    Outcome,
    SavedFilter,
    Status,
    Urgency,
    classification_label,
)
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
from binhyen.cases.models.notice import DEFAULT_NOTICES, NoticeTemplate

__all__ = [
    "DEFAULT_NOTICES",
    "FREE_WINDOW",
    "OPEN_STATUSES",
    "PAID_WINDOW",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseOutcome",
    "Category",
    "Contact",
    "Conversation",
    "Dispatch",
    "Intent",
    "Message",
    "NoticeTemplate",
    "Outcome",
    "SavedFilter",
    "Status",
    "Urgency",
    "attachment_upload_to",
    "classification_label",
]

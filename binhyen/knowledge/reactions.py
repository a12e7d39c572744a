"""How the knowledge base joins the path of a case (`cases.services.lifecycle.REACTIONS`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from binhyen.knowledge import services

if TYPE_CHECKING:
    from binhyen.cases.models import Case


def case_triaged(*, case: Case, at: datetime, **_rest: Any) -> None:
    """A question was read: answer it automatically if the unit allows and the match is sure,
    or collect it as unanswered when the base has nothing."""
    services.question_answer_auto(case=case, at=at)

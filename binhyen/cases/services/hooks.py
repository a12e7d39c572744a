"""What else happens when a case moves: clocks, alerts, messages to the citizen.

Called explicitly by the case services (inside their transaction), so the path of a
case can be read top to bottom; each stage lives in its own app.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case
    from binhyen.units.models import Unit


def opened(case: Case, at: datetime) -> None:
    return None


def acknowledged(case: Case, at: datetime) -> None:
    return None


def classified(case: Case, before: dict[str, Any], at: datetime) -> None:
    return None


def transitioned(case: Case, previous: str, at: datetime) -> None:
    return None


def transferred(case: Case, source: Unit, at: datetime, actor: User | None) -> None:
    return None

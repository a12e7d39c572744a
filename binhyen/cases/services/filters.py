"""An officer's saved filter of the case list (one each)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from binhyen.cases.listing import Filters
from binhyen.cases.models import SavedFilter

if TYPE_CHECKING:
    from binhyen.accounts.models import User


@transaction.atomic
def case_filter_save(*, user: User, filters: Filters) -> SavedFilter:
    """Keep the filter (re-encoded from the parsed form: nothing unchecked is stored)."""
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, defaults={"query": filters.urlencode()[:1000]}
    )
    return saved


@transaction.atomic
def case_filter_clear(*, user: User) -> None:
    SavedFilter.objects.filter(user=user).delete()

"""The only way views and the API reach cases: filtered by the units the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from binhyen.accounts.access import AnyUser, unit_scope_q
from binhyen.cases.models import Attachment, Case


def cases_for_user(user: AnyUser) -> QuerySet[Case]:
    return Case.objects.filter(unit_scope_q(user, prefix="unit__"))


def get_case_for_user(user: AnyUser, pk: int | str) -> Case:
    qs = cases_for_user(user).select_related(
        "unit", "channel_account", "conversation", "contact", "assigned_to"
    )
    try:
        case = qs.get(pk=int(pk or 0))
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy vụ việc") from exc
    return case


def get_attachment_for_user(user: AnyUser, token: str) -> Attachment:
    att = (
        Attachment.objects.select_related("message__case__unit", "message__conversation")
        .filter(token=token)
        .first()
    )
    if att is None or att.message.case is None:
        raise Http404("Không tìm thấy tệp")
    if not cases_for_user(user).filter(pk=att.message.case.pk).exists():
        raise Http404("Không tìm thấy tệp")
    return att

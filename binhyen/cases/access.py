"""The only way views and the API reach cases: filtered by the units the user may see.

A case outside the user's subtrees is a 404 by any URL, and the attempt is recorded
(`access.denied`, reason outside_scope); an action the user's role does not allow on a case
they may read is a 403, recorded the same way (reason role).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from binhyen.accounts.access import AnyUser, Cap, has_cap, unit_scope_q
from binhyen.audit.services import audit_access_denied
from binhyen.cases.models import Attachment, Case


def cases_for_user(user: AnyUser) -> QuerySet[Case]:
    return Case.objects.filter(unit_scope_q(user, prefix="unit__"))


def conversation_open_cases(user: AnyUser, case: Case) -> list[Case]:
    """The other open cases of the case's conversation that the user may see (where one of
    its messages may move)."""
    if not case.conversation_id:
        return []
    return list(
        cases_for_user(user)
        .filter(
            conversation_id=case.conversation_id,
            status__in=Case.OPEN_STATUSES,
            merged_into__isnull=True,
        )
        .exclude(pk=case.pk)
        .only("pk", "code", "summary", "intent")
        .order_by("opened_at")
    )


def _refuse_outside(
    user: AnyUser, case: Case | None, *, channel: str, verb: str, request: HttpRequest | None
) -> None:
    if case is not None and user.is_authenticated:
        audit_access_denied(
            actor=user,
            verb=verb,
            channel=channel,
            reason="outside_scope",
            target=case,
            request=request,
        )


def get_case_for_user(
    user: AnyUser,
    pk: int | str,
    *,
    channel: str = "page",
    verb: str = "read",
    request: HttpRequest | None = None,
) -> Case:
    qs = cases_for_user(user).select_related(
        "unit", "channel_account", "conversation", "contact", "assigned_to"
    )
    try:
        return qs.get(pk=int(pk or 0))
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        try:
            hidden = Case.objects.filter(pk=int(pk or 0)).first()
        except (ValueError, TypeError):
            hidden = None
        _refuse_outside(user, hidden, channel=channel, verb=verb, request=request)
        raise Http404("Không tìm thấy vụ việc") from exc


def require_case_cap(
    user: AnyUser,
    case: Case,
    cap: Cap,
    *,
    channel: str = "page",
    request: HttpRequest | None = None,
) -> None:
    """403 (recorded) unless the user's role in the case's unit grants `cap`."""
    if has_cap(user, case.unit, cap):
        return
    if user.is_authenticated:
        audit_access_denied(
            actor=user,
            verb=str(cap),
            channel=channel,
            reason="role",
            target=case,
            request=request,
        )
    raise PermissionDenied("Vai trò của bạn không cho phép thao tác này.")


def get_case_to_work(
    user: AnyUser, pk: int | str, *, channel: str = "page", request: HttpRequest | None = None
) -> Case:
    """A case the user may act on: 404 outside their units, 403 if their role only reads."""
    case = get_case_for_user(user, pk, channel=channel, verb="work", request=request)
    require_case_cap(user, case, Cap.CASE_WORK, channel=channel, request=request)
    return case


def get_attachment_for_user(
    user: AnyUser, token: str, *, request: HttpRequest | None = None
) -> Attachment:
    att = (
        Attachment.objects.select_related("message__case__unit", "message__conversation")
        .filter(token=token)
        .first()
    )
    if att is None or att.message.case is None:
        raise Http404("Không tìm thấy tệp")
    if not cases_for_user(user).filter(pk=att.message.case.pk).exists():
        _refuse_outside(user, att.message.case, channel="file", verb="read", request=request)
        raise Http404("Không tìm thấy tệp")
    return att

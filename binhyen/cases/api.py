"""Cases over the REST API: the same reads and services as the console."""

from collections.abc import Callable
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from binhyen.accounts.access import Cap
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases import listing, services
from binhyen.cases.access import get_case_for_user, get_case_to_work
from binhyen.cases.models import Case, Message, Outcome
from binhyen.cases.models import Status as CaseStatus
from binhyen.cases.models.case import Category, Intent, Urgency
from binhyen.cases.services.actions import ACTIONS, ActionInput
from binhyen.vault.services import case_view_record

router = Router(tags=["cases"])


class UnitOut(Schema):
    code: str
    name: str


class CaseOut(Schema):
    id: int
    code: str
    unit: UnitOut
    intent: str
    category: str
    urgency: str
    status: str
    summary: str
    reporter: str = Field(description="Pseudonym; identities never leave the vault here.")
    opened_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    closed_at: datetime | None
    reply_window: str = Field(description="free | paid | closed (Zalo consultation window)")
    is_anonymous: bool = Field(description="the tipster gave no identity")
    secrecy_requested: bool = Field(
        description="the tipster asked for their identity to be kept secret"
    )
    protected: bool = Field(description="anonymous or secrecy requested: handle with care")

    @staticmethod
    def resolve_protected(obj: Case) -> bool:
        return obj.is_protected

    @staticmethod
    def resolve_reporter(obj: Case) -> str:
        return obj.contact.pseudonym if obj.contact is not None else ""

    @staticmethod
    def resolve_reply_window(obj: Case) -> str:
        return obj.conversation.reply_window() if obj.conversation is not None else "closed"


class AttachmentOut(Schema):
    kind: str
    name: str
    content_type: str
    size: int | None
    status: str
    url: str | None

    @staticmethod
    def resolve_url(obj: object) -> str | None:

        token = getattr(obj, "token", "")
        return reverse("cases:attachment", args=[token]) if getattr(obj, "file", None) else None


class LocationOut(Schema):
    latitude: float
    longitude: float


class MessageOut(Schema):
    id: int
    direction: str
    kind: str
    text: str
    sent_at: datetime
    author: str
    delivery: str
    error_message: str
    location: LocationOut | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> str:
        return obj.author_label if obj.direction == Message.Direction.OUT else ""

    @staticmethod
    def resolve_location(obj: Message) -> dict[str, float] | None:
        if obj.latitude is None or obj.longitude is None:
            return None
        return {"latitude": obj.latitude, "longitude": obj.longitude}

    @staticmethod
    def resolve_attachments(obj: Message) -> list[object]:
        return list(obj.attachments.all())


class CaseDetailOut(CaseOut):
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Case) -> list[Message]:
        return list(obj.messages.prefetch_related("attachments").order_by("sent_at", "id"))


class CaseFilters(Schema):
    unit: str | None = Field(
        None,
        description="unit code; its whole subtree is included",
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+$",
    )
    status: CaseStatus | None = None
    category: Category | None = None
    urgency: Urgency | None = None
    opened_from: date | None = Field(None, description="opened on or after this day (local)")
    opened_to: date | None = Field(None, description="opened on or before this day (local)")
    updated_since: datetime | None = Field(
        None,
        description="only cases changed after this instant, oldest change first: "
        "remember the last item's updated_at and ask again",
    )
    q: str | None = Field(
        None, max_length=100, description="text without diacritics, or a (partial) code"
    )
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    page_size: int = Field(50, ge=1, le=100)

    @field_validator("q", "cursor", "unit")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL")
        return value


class CasePage(Schema):
    items: list[CaseOut]
    count: int = Field(description="matching cases, at most 1000 (see count_capped)")
    count_capped: bool = Field(description="more than 1000 cases match")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null at the end")


class ReplyIn(Schema):
    text: str = Field(max_length=services.MAX_REPLY_CHARS)
    client_token: str | None = Field(None, max_length=64, description="idempotency key")


def _listable(request: HttpRequest) -> QuerySet[Case]:
    """Bulk reads follow the export rule: the whole subtree only where the user's role
    holds case.bulk_read (commanders, duty desk, province command); elsewhere only the
    cases assigned to them. Visibility is by unit ids (an index), never a path join."""
    user = request.user
    qs = listing.visible(user)
    bulk = listing.visible_unit_ids(user, Cap.CASE_BULK_READ)
    if bulk is None or bulk == listing.visible_unit_ids(user):
        return qs
    return qs.filter(Q(unit_id__in=bulk) | Q(assigned_to=user.pk))


@router.get("", response=CasePage)
def list_cases(request: AuthenticatedHttpRequest, filters: Query[CaseFilters]) -> dict[str, object]:
    """Cases newest first (by last message), or oldest change first with `updated_since`;
    keyset pages: follow `next_cursor` until it is null."""
    f = listing.Filters(
        status=filters.status or "all",
        unit=filters.unit or "",
        q=filters.q or "",
        category=filters.category or "",
        urgency=filters.urgency or "",
        date_from=filters.opened_from,
        date_to=filters.opened_to,
        updated_since=filters.updated_since,
        sort="updated" if filters.updated_since else "new",
    )
    qs = listing.apply(_listable(request), f, request.user)
    if filters.cursor and listing.decode_cursor(filters.cursor) is None:
        raise HttpError(422, "cursor is not one this API gave")
    page = listing.page(
        qs,
        f,
        after=filters.cursor or "",
        size=filters.page_size,
        related=("unit", "contact", "conversation__channel_account"),
    )
    rows = [*page.code_hits, *page.rows]
    if rows:
        audit_record(
            action=AuditAction.CASE_BULK_READ,
            actor=request.user,
            summary=f"Đọc {len(rows)} vụ việc qua API",
            details={
                "rows": len(rows),
                "cursor": bool(filters.cursor),
                "protected": sum(1 for c in rows if c.is_protected),
                "unit_filter": (filters.unit or "")[:32],
                "status_filter": (filters.status or "")[:32],
                "case_codes": [c.code for c in rows],
            },
            request=request,
        )
    return {
        "items": rows,
        "count": page.count,
        "count_capped": page.capped,
        "next_cursor": page.older or None,
    }


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    case = get_case_for_user(request.user, case_id, channel="api", request=request)
    # The same audited read as opening the case in the console (docs/protection.md).
    case_view_record(case=case, user=request.user, request=request)
    return case


@router.post("/{case_id}/replies", response={201: MessageOut})
def reply(request: AuthenticatedHttpRequest, case_id: int, payload: ReplyIn) -> Status[Message]:
    case = get_case_to_work(request.user, case_id, channel="api", request=request)
    try:
        message = services.case_reply(
            case=case,
            author=request.user,
            text=payload.text,
            client_token=payload.client_token,
        )
    except services.CaseError as exc:
        raise HttpError(409, str(exc)) from exc
    return Status(201, message)


def _one_of(allowed: list[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value and value not in allowed:
            raise ValueError(f"{what} must be one of: {', '.join(allowed)}")
        return value

    return check


class ActionIn(Schema):
    action: str = Field(description=", ".join(ACTIONS))
    reason: str = Field("", max_length=500)
    intent: str = Field("", description=", ".join(Intent.values))
    category: str = Field("", description=", ".join(Category.values))
    urgency: str = Field("", description=", ".join(Urgency.values))
    outcome: str = Field("", description=", ".join(Outcome.values))
    to: str = Field("", max_length=200)
    unit: str = Field("", max_length=32, description="transfer: the receiving unit's code")
    assignee: int | None = None
    extend_by: str = Field("", description="extend: unit | procuracy")
    months: int | None = Field(None, ge=1, le=2)

    _action = field_validator("action")(_one_of(list(ACTIONS), "action"))
    _intent = field_validator("intent")(_one_of(list(Intent.values), "intent"))
    _category = field_validator("category")(_one_of(list(Category.values), "category"))
    _urgency = field_validator("urgency")(_one_of(list(Urgency.values), "urgency"))
    _outcome = field_validator("outcome")(_one_of(list(Outcome.values), "outcome"))
    _extend_by = field_validator("extend_by")(_one_of(["unit", "procuracy"], "extend_by"))


@router.post("/{case_id}/actions", response=CaseOut)
def act(request: AuthenticatedHttpRequest, case_id: int, payload: ActionIn) -> Case:
    """A workflow action, through the same table of actions as the console's buttons."""

    case = get_case_to_work(request.user, case_id, channel="api", request=request)
    fields = payload.model_dump(exclude={"action"})
    try:
        services.case_act(
            case=case, actor=request.user, action=payload.action, data=ActionInput(**fields)
        )
    except services.CaseError as exc:
        raise HttpError(409, str(exc)) from exc
    return get_case_for_user(request.user, case_id)

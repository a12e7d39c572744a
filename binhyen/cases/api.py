"""Cases over the REST API: the same reads and services as the console."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from binhyen.accounts.access import Cap, unit_scope_q
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases import services
from binhyen.cases.access import cases_for_user, get_case_for_user, get_case_to_work
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


class ReplyIn(Schema):
    text: str = Field(max_length=services.MAX_REPLY_CHARS)
    client_token: str | None = Field(None, max_length=64, description="idempotency key")


def _listable(request: HttpRequest) -> QuerySet[Case]:
    """Bulk reads follow the export rule: the whole subtree only where the user's role
    holds case.bulk_read (commanders, duty desk, province command); elsewhere only the
    cases assigned to them."""
    user = request.user
    qs = cases_for_user(user)
    bulk = unit_scope_q(user, prefix="unit__", cap=Cap.CASE_BULK_READ)
    return qs.filter(bulk | Q(assigned_to=user.pk))


class BoundedPages(PageNumberPagination):
    """Page numbers the database can take: a huge page overflowed OFFSET (a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=100)


@router.get("", response=list[CaseOut])
@paginate(BoundedPages, page_size=50)
def list_cases(request: AuthenticatedHttpRequest, filters: Query[CaseFilters]) -> object:
    qs = _listable(request).select_related("unit", "contact", "conversation__channel_account")
    if filters.unit:
        qs = qs.filter(unit__path__contains=f"/{filters.unit}/")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _AuditedPage(qs.order_by("-last_message_at", "-id"), request, filters)


class _AuditedPage:
    """The listing, audited once per page actually read (count and codes of the rows)."""

    def __init__(self, qs: QuerySet[Case], request: HttpRequest, filters: CaseFilters) -> None:
        self.qs, self.request, self.filters = qs, request, filters

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Case]:
        rows = list(self.qs[item])
        if rows:
            audit_record(
                action=AuditAction.CASE_BULK_READ,
                actor=self.request.user,  # type: ignore[arg-type]
                summary=f"Đọc {len(rows)} vụ việc qua API",
                details={
                    "rows": len(rows),
                    "offset": item.start or 0,
                    "protected": sum(1 for c in rows if c.is_protected),
                    "unit_filter": (self.filters.unit or "")[:32],
                    "status_filter": (self.filters.status or "")[:32],
                    "case_codes": [c.code for c in rows],
                },
                request=self.request,
            )
        return rows


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

"""Open311 write paths (keys, filing requests) and the reads behind `GET requests`.

A request is a tip filed through the same service as the web form (`tips.tip_submit`),
on the key's own channel account. What goes back out describes the case, never the
person: no names, contacts or device ids, no citizen text, and the location only as the
commune (its official centre), never the pin the citizen gave.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases.models import Case
from binhyen.channels.models import ChannelAccount, Provider
from binhyen.clocks.models import CaseClock
from binhyen.lib.media import CleanUpload
from binhyen.open311 import catalog
from binhyen.open311.models import ApiKey
from binhyen.tips import services as tips
from binhyen.tips import throttle
from binhyen.tips.models import Tip
from binhyen.tips.status import STATUS_WORDS
from binhyen.units.models import Unit

KEY_PREFIX = "o311_"
DEFAULT_WINDOW = timedelta(days=90)  # GeoReport v2: the default query covers 90 days


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, unit: Unit, requests_per_hour: int = 120) -> tuple[ApiKey, str]:
    """A key for one partner system; requests arrive at `unit` (usually the province)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    account = ChannelAccount.objects.create(
        provider=Provider.API, unit=unit, name=f"Open311: {name}"[:200]
    )
    row = ApiKey.objects.create(
        name=name[:200],
        prefix=key[:12],
        key_hash=_hash(key),
        channel_account=account,
        requests_per_hour=requests_per_hour,
    )
    audit_record(
        action=AuditAction.API_TOKEN_CREATE,
        actor=None,
        target=row,
        target_unit=unit,
        summary=f"Tạo khóa Open311 {row.prefix}… cho {row.name}",
        details={"prefix": row.prefix, "kind": "open311"},
    )
    return row, key


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        ChannelAccount.objects.filter(pk=key.channel_account_id).update(is_active=False)
        audit_record(
            action=AuditAction.API_TOKEN_REVOKE,
            actor=None,
            target=key,
            target_unit=key.channel_account.unit,
            summary=f"Thu hồi khóa Open311 {key.prefix}…",
            details={"prefix": key.prefix, "kind": "open311"},
        )
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (
        ApiKey.objects.select_related("channel_account__unit")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# --- POST requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    service: catalog.Service
    description: str
    latitude: float | None
    longitude: float | None
    address: str
    commune_code: str
    anonymous: bool
    secrecy: bool
    occurred_at: datetime | None
    when: str
    details: tuple[tuple[str, str], ...]
    identity: dict[str, str]
    media_url: str = ""


@dataclass(frozen=True)
class Filed:
    case: Case
    notice: str


def request_create(
    *, key: ApiKey, new: NewRequest, uploads: list[CleanUpload] | None = None
) -> Filed:
    """File one Open311 request as a tip, under the key's hourly limit."""
    if throttle.hit("o311", key.prefix, 3600) > key.requests_per_hour:
        raise Open311Error(429, "Too many requests for this api_key; try again later.")
    report = tips.TipReport(
        text=new.description,
        category=new.service.category,
        when=new.when,
        occurred_at=new.occurred_at,
        place=new.commune_code,
        address=new.address,
        latitude=new.latitude,
        longitude=new.longitude,
        anonymous=new.anonymous,
        secrecy=new.secrecy and not new.anonymous,
        service_code=new.service.code,
        details=(("Loại yêu cầu", new.service.name), *new.details),
        media_urls=(new.media_url,) if new.media_url else (),
    )
    receipt = tips.tip_submit(
        channel_account=key.channel_account,
        report=report,
        identity=new.identity,
        uploads=uploads,
        source=Tip.Source.OPEN311,
    )
    case = receipt.tip.case
    assert case is not None  # Open311 requests are never held
    notice = (
        f"Đã tiếp nhận, mã tin báo {case.code}. Người gửi theo dõi và nhắn tin ẩn danh với cán "
        f"bộ tại trang “Xem tin đã gửi” (/bao-tin/tra-cuu/) bằng mã tin báo này và "
        f"mật khẩu {receipt.password}. Khẩn cấp: gọi 113."
    )
    return Filed(case=case, notice=notice)


# --- GET requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = 100


def requests_for_key(key: ApiKey) -> QuerySet[Case]:
    """A key reads back only what was filed with it."""
    return (
        Case.objects.filter(tip__channel_account=key.channel_account)
        .select_related("unit", "tip")
        .prefetch_related("unit__areas")
        .annotate(updated=Max("events__at"))
    )


def requests_search(*, key: ApiKey, filters: RequestFilters) -> list[Case]:
    qs = requests_for_key(key)
    if filters.ids:
        qs = qs.filter(code__in=filters.ids)
    else:
        end = filters.end or timezone.now()
        start = filters.start or (end - DEFAULT_WINDOW)
        qs = qs.filter(opened_at__gte=start, opened_at__lte=end)
        if filters.statuses and set(filters.statuses) != {"open", "closed"}:
            if "open" in filters.statuses:
                qs = qs.filter(status__in=Case.OPEN_STATUSES)
            else:
                qs = qs.exclude(status__in=Case.OPEN_STATUSES)
        if filters.service_codes:
            qs = _by_services(qs, filters.service_codes)
    offset = (filters.page - 1) * filters.page_size
    return list(qs.order_by("-opened_at", "-id")[offset : offset + filters.page_size])


def _by_services(qs: QuerySet[Case], codes: tuple[str, ...]) -> QuerySet[Case]:

    q = Q(pk__in=[])
    for code in codes:
        if code.startswith("tip."):
            q |= Q(intent="tip", category=code[4:]) | Q(
                ~Q(intent__in=["tip", "question", "feedback"]), tip__service_code=code
            )
        elif code in {"question", "feedback"}:
            q |= Q(intent=code) | Q(
                ~Q(intent__in=["tip", "question", "feedback"]), tip__service_code=code
            )
    return qs.filter(q)


def request_get(*, key: ApiKey, code: str) -> Case:
    case = requests_for_key(key).filter(code=code).first()
    if case is None:
        raise Open311Error(404, f"service_request_id {code!r} not found")
    return case


def _expected(case: Case) -> datetime | None:

    clock = (
        CaseClock.objects.filter(case=case, family="resolve", state__in=CaseClock.OPEN_STATES)
        .order_by("due_at")
        .first()
    )
    return clock.due_at if clock is not None else None


def request_view(case: Case) -> dict[str, object]:
    """One request as GeoReport v2 fields. Identity never appears: see the module doc."""
    tip: Tip | None = getattr(case, "tip", None)
    fallback = tip.service_code if tip is not None else ""
    service = catalog.service_for_case(case.intent, case.category, fallback)
    area = next(iter(case.unit.areas.all()), None)
    updated = getattr(case, "updated", None) or case.last_message_at
    words = STATUS_WORDS.get(case.status, case.get_status_display())  # type: ignore[call-overload]
    if case.outcome:
        words += f" Kết quả: {case.get_outcome_display()}."
    return {
        "service_request_id": case.code,
        "status": "open" if case.is_open else "closed",
        "status_notes": words,
        "service_name": service.name if service else "",
        "service_code": service.code if service else fallback,
        "description": None,
        "agency_responsible": case.unit.name,
        "service_notice": "Danh tính người gửi và vị trí chính xác không được công bố.",
        "requested_datetime": case.opened_at,
        "updated_datetime": max(updated, case.last_message_at),
        "expected_datetime": _expected(case),
        "address": area.name if area is not None else "",
        "address_id": area.code if area is not None else "",
        "zipcode": None,
        # The commune's official centre: where, to the commune, never the citizen's pin.
        "lat": area.latitude if area is not None else None,
        "long": area.longitude if area is not None else None,
        "media_url": None,
    }

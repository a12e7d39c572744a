"""The case list at a million cases: visibility by unit ids, filters, sorts, keyset pages and
a capped count, shared by the console, its CSV export and the API (docs/search.md).

- Visibility is a list of unit ids (the user's subtrees resolved once per request), or no
  condition at all for someone who sees every unit, never a join on `units_unit.path LIKE`:
  the planner then walks the index that matches the sort (`case_recent`, `case_open_recent`,
  `case_cat_recent`, ... in `Case.Meta.indexes`).
- Pages are keyset pages ("cũ hơn / mới hơn"): the cursor is the last row's sort value and id,
  so page 3,000 costs what page 1 costs. No OFFSET.
- The count stops at `COUNT_CAP` ("hơn 1.000"): counting a million visible rows on every
  page was 126 ms of every request.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.accounts.access import AnyUser, Cap, sees_everything, unit_scope_q
from binhyen.cases import search
from binhyen.cases.models import OPEN_STATUSES, Case, Category, Status, Urgency
from binhyen.units.models import Unit

PAGE_SIZE = 30
COUNT_CAP = 1000

TABS = [
    ("mine", gettext_lazy("Việc của tôi")),
    ("open", gettext_lazy("Đang mở")),
    ("received", gettext_lazy("Mới tiếp nhận")),
    ("verifying", gettext_lazy("Đang xác minh")),
    ("done", gettext_lazy("Đã kết thúc")),
    ("all", gettext_lazy("Tất cả")),
]
# sort key → (field, descending, label)
SORTS: dict[str, tuple[str, bool, Any]] = {
    "new": ("last_message_at", True, gettext_lazy("Tin mới nhất trước")),
    "old": ("last_message_at", False, gettext_lazy("Tin cũ nhất trước")),
    "opened": ("opened_at", True, gettext_lazy("Mới tiếp nhận trước")),
    "deadline": ("next_deadline_at", False, gettext_lazy("Sắp hết hạn trước")),
    # For clients that sync (`updated_since` over the API): oldest change first.
    "updated": ("updated_at", False, gettext_lazy("Thay đổi cũ nhất trước")),
}
CONSOLE_SORTS = ("new", "old", "opened", "deadline")
ASSIGNED = [
    ("", gettext_lazy("Mọi người")),
    ("me", gettext_lazy("Giao cho tôi")),
    ("none", gettext_lazy("Chưa giao ai")),
]
CHANNELS = [
    ("zalo", gettext_lazy("Zalo")),
    ("web", gettext_lazy("Biểu mẫu web")),
    ("api", gettext_lazy("API")),
]

# Query-string names (Vietnamese-free ASCII, stable: saved filters and links keep them).
_PARAMS = {
    "status": "status",
    "unit": "unit",
    "q": "q",
    "category": "category",
    "urgency": "urgency",
    "channel": "channel",
    "date_from": "from",
    "date_to": "to",
    "assigned": "assigned",
    "overdue": "overdue",
    "sort": "sort",
}


@dataclass(frozen=True)
class Filters:
    """What the officer asked to see; built leniently from a query string (an unknown value
    is dropped and named in `problems`, never a 500)."""

    status: str = "open"
    unit: str = ""
    q: str = ""
    category: str = ""
    urgency: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    assigned: str = ""
    overdue: bool = False
    sort: str = "new"
    updated_since: datetime | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, params: QueryDict | dict[str, str], *, default_status: str = "open") -> Filters:
        def get(name: str) -> str:
            return str(params.get(_PARAMS[name], "") or "").strip()

        problems: list[str] = []

        def one_of(name: str, allowed: set[str], default: str = "") -> str:
            value = get(name)
            if value and value not in allowed:
                problems.append(_("Bộ lọc không hợp lệ đã được bỏ qua: %(name)s") % {"name": name})
                return default
            return value or default

        def day(name: str) -> date | None:
            value = get(name)
            if not value:
                return None
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                problems.append(
                    _("Ngày không hợp lệ đã được bỏ qua: %(value)s") % {"value": value[:20]}
                )
                return None

        statuses = {k for k, _label in TABS} | set(Status.values)
        unit = get("unit")[:32]
        if unit and not all(ch.isalnum() or ch in "_.-" for ch in unit):
            problems.append(_("Mã đơn vị không hợp lệ đã được bỏ qua."))
            unit = ""
        return cls(
            status=one_of("status", statuses, default_status),
            unit=unit,
            q=get("q")[: search.MAX_QUERY_CHARS],
            category=one_of("category", set(Category.values)),
            urgency=one_of("urgency", set(Urgency.values)),
            channel=one_of("channel", {k for k, _label in CHANNELS}),
            date_from=day("date_from"),
            date_to=day("date_to"),
            assigned=one_of("assigned", {"me", "none"}),
            overdue=get("overdue") in {"1", "on", "true"},
            sort=one_of("sort", set(CONSOLE_SORTS), "new"),
            problems=tuple(problems),
        )

    def params(self) -> dict[str, str]:
        """The non-default filters as query-string pairs (links, saved filters, the CSV)."""
        out: dict[str, str] = {}
        default = Filters()
        for f in fields(self):
            if f.name in {"problems", "updated_since"}:
                continue
            value = getattr(self, f.name)
            if value == getattr(default, f.name) and f.name != "status":
                continue
            if isinstance(value, bool):
                value = "1" if value else ""
            elif isinstance(value, date):
                value = value.isoformat()
            if value:
                out[_PARAMS[f.name]] = str(value)
        return out

    def urlencode(self, **extra: str) -> str:
        return urlencode({**self.params(), **extra})

    def with_status(self, status: str) -> Filters:
        return replace(self, status=status)

    @property
    def is_filtered(self) -> bool:
        return bool(set(self.params()) - {"status", "sort"})


# --- who sees what ---------------------------------------------------------------------------


def visible_unit_ids(user: AnyUser, cap: Cap = Cap.CASE_READ) -> list[int] | None:
    """The ids of the units whose cases the user may read (`cap`), or None when that is every
    unit (a superuser, the province command of a one-province install): then the list has no
    unit condition at all, and PostgreSQL's estimates stay right (`unit_id IN (…every id…)`
    made it pick a bitmap scan and a sort over the index walk). One query, cached on the user
    object for the request."""
    cache: dict[Cap, list[int] | None] | None = getattr(user, "_binhyen_unit_ids", None)
    if cache is None:
        cache = {}
        user._binhyen_unit_ids = cache  # type: ignore[union-attr]  # a per-request cache
    if cap not in cache:
        if sees_everything(user):
            cache[cap] = None
        else:
            rows = list(
                Unit.objects.filter(unit_scope_q(user, cap=cap))
                .annotate(total=RawSQL("SELECT COUNT(*) FROM units_unit", []))
                .values_list("pk", "total")
            )
            everything = bool(rows) and len(rows) == rows[0][1]
            cache[cap] = None if everything else [pk for pk, _total in rows]
    return cache[cap]


def visible(user: AnyUser, cap: Cap = Cap.CASE_READ) -> QuerySet[Case]:
    ids = visible_unit_ids(user, cap)
    return Case.objects.all() if ids is None else Case.objects.filter(unit_id__in=ids)


def exact_code_case_id(user: AnyUser, q: str) -> int | None:
    """The one case `user` may read whose code (under any prefix) or citizen's web tip code
    is exactly `q`, else None (nothing, several, or only cases outside the user's units:
    the caller answers as for any search, so a code elsewhere is indistinguishable from a
    code that does not exist). A short path for the duty officer who pastes a code: the
    visible unit ids (one query, none for someone who sees every unit), the code's unique
    index, and the tip code's index only when the code found nothing."""
    for condition in search.exact_code_qs(q.strip()[: search.MAX_QUERY_CHARS]):
        ids = list(visible(user).filter(condition).order_by().values_list("pk", flat=True)[:2])
        if ids:
            return ids[0] if len(ids) == 1 else None
    return None


# --- filters ---------------------------------------------------------------------------------


# Dates a client may type (0001-01-01, 9999-12-31) are clamped to a range no case lies
# outside, so the filter means the same and the time-zone arithmetic cannot overflow.
_EARLIEST = date(1900, 1, 1)
_LATEST = date(9000, 1, 1)


def _day_start(d: date) -> datetime:
    d = min(max(d, _EARLIEST), _LATEST)
    return timezone.make_aware(datetime(d.year, d.month, d.day))


def _instant(at: datetime) -> datetime:
    """An aware instant within the clamped range (a naive one is read as local time)."""
    if at.date() < _EARLIEST or at.date() > _LATEST:
        return _day_start(at.date())
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def apply(
    qs: QuerySet[Case], f: Filters, user: AnyUser, *, now: datetime | None = None
) -> QuerySet[Case]:
    """The filters except the text search (see `search.search`)."""
    now = now or timezone.now()
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status == "mine":
        qs = qs.filter(status__in=OPEN_STATUSES, assigned_to=user.pk)
    elif f.status == "done":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    elif f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).only("path").first()
        if unit is None:
            return qs.none()
        subtree = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        qs = qs.filter(unit_id__in=subtree)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.channel:
        qs = qs.filter(channel_account__provider=f.channel)
    if f.date_from:
        qs = qs.filter(opened_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(opened_at__lt=_day_start(min(f.date_to, _LATEST) + timedelta(days=1)))
    if f.assigned == "me":
        qs = qs.filter(assigned_to=user.pk)
    elif f.assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    if f.overdue:
        qs = qs.filter(next_deadline_at__lte=now)
    if f.updated_since is not None:
        qs = qs.filter(updated_at__gt=_instant(f.updated_since))
    if f.sort == "deadline":
        qs = qs.filter(next_deadline_at__isnull=False)
    return qs


# --- keyset pages ------------------------------------------------------------------------------


def encode_cursor(case: Case, sort: str) -> str:
    value = getattr(case, SORTS[sort][0])
    raw = f"{value.isoformat() if value else ''}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        value = parse_datetime(when)
        return (value, int(pk)) if value is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def ordered(qs: QuerySet[Case], sort: str, *, reverse: bool = False) -> QuerySet[Case]:
    name, desc, _label = SORTS[sort]
    if reverse:
        desc = not desc
    sign = "-" if desc else ""
    return qs.order_by(f"{sign}{name}", f"{sign}id")


def beyond(
    qs: QuerySet[Case], sort: str, cursor: tuple[datetime, int], *, reverse: bool = False
) -> QuerySet[Case]:
    """Rows after the cursor in the sort's order (before it with `reverse`)."""
    name, desc, _label = SORTS[sort]
    if reverse:
        desc = not desc
    op = "lt" if desc else "gt"
    value, pk = cursor
    return qs.filter(Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": pk}))


@dataclass
class Page:
    rows: list[Case]
    code_hits: list[Case]
    count: int
    capped: bool
    older: str = ""  # cursor for the next page in the sort's order
    newer: str = ""  # cursor for the page before

    @property
    def count_label(self) -> str:
        if self.capped:
            return _("hơn %(n)s") % {"n": f"{COUNT_CAP:,}".replace(",", ".")}
        return f"{self.count:,}".replace(",", ".")


def capped_count(qs: QuerySet[Case], sort: str = "new") -> tuple[int, bool]:
    """At most COUNT_CAP + 1 rows are counted, in the list's own order: for a common
    search phrase PostgreSQL then walks the sort's index and stops at 1,001 matches
    instead of building the bitmap of every match (98 → ms at a million, docs/search.md)."""
    n = ordered(qs, sort).values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def page(
    qs: QuerySet[Case],
    f: Filters,
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
    related: tuple[str, ...] = ("unit", "channel_account", "contact"),
) -> Page:
    """One page of the filtered, searched list. `qs` is already visible and filtered."""
    hits: list[Case] = []
    rows_qs = qs
    if f.q:
        hit_ids, rows_qs = search.search(qs, f.q)
        if hit_ids and not (after or before):
            by_pk = {c.pk: c for c in qs.filter(pk__in=hit_ids).select_related(*related)}
            hits = [by_pk[pk] for pk in hit_ids if pk in by_pk]
    rows_qs = rows_qs.select_related(*related)
    cursor_after = decode_cursor(after) if after else None
    cursor_before = decode_cursor(before) if before else None
    result = Page(rows=[], code_hits=hits, count=0, capped=False)
    if cursor_before is not None:
        rows = list(
            ordered(beyond(rows_qs, f.sort, cursor_before, reverse=True), f.sort, reverse=True)[
                : size + 1
            ]
        )
        more = len(rows) > size
        rows = rows[:size][::-1]
        result.rows = rows
        if rows:
            result.older = encode_cursor(rows[-1], f.sort)
            if more:
                result.newer = encode_cursor(rows[0], f.sort)
    else:
        base = beyond(rows_qs, f.sort, cursor_after) if cursor_after is not None else rows_qs
        rows = list(ordered(base, f.sort)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        result.rows = rows
        if rows:
            if more:
                result.older = encode_cursor(rows[-1], f.sort)
            if cursor_after is not None:
                result.newer = encode_cursor(rows[0], f.sort)
        if cursor_after is None and not more:
            # The first page holds everything: no second trip to count it.
            result.count = min(len(rows), COUNT_CAP) + len(hits)
            result.capped = len(rows) > COUNT_CAP
            return result
    count, result.capped = capped_count(rows_qs, f.sort)
    result.count = count + len(hits)
    return result

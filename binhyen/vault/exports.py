"""Exports of case data: what leaves BinhYen as a file never carries identity data.

A unit's cases (and its subtree's) as CSV for reporting: codes, units, classification,
states, protection flags and the timestamps KPIs are computed from. No pseudonym-to-person
link, no citizen text (a summary is the citizen's own words and may name them), no
coordinates, no addresses. Every export is audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases import listing, search
from binhyen.cases.models import Case, Category, Intent, Outcome, Status, Urgency
from binhyen.channels.models import Provider
from binhyen.vault.access import can_export
from binhyen.vault.store import VaultError

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.units.models import Unit

# (header, what it holds): Vietnamese headers and values, as officers read them.
COLUMNS = [
    (gettext_lazy("Mã tin"), "code"),
    (gettext_lazy("Mã đơn vị"), "unit_code"),
    (gettext_lazy("Đơn vị"), "unit_name"),
    (gettext_lazy("Đơn vị nhận tin ban đầu"), "received_by_unit_code"),
    (gettext_lazy("Kênh"), "channel"),
    (gettext_lazy("Loại"), "intent"),
    (gettext_lazy("Lĩnh vực"), "category"),
    (gettext_lazy("Mức khẩn"), "urgency"),
    (gettext_lazy("Trạng thái"), "status"),
    (gettext_lazy("Kết quả"), "outcome"),
    (gettext_lazy("Được bảo vệ"), "protected"),
    (gettext_lazy("Ẩn danh"), "anonymous"),
    (gettext_lazy("Yêu cầu giữ bí mật"), "secrecy_requested"),
    (gettext_lazy("Tiếp nhận lúc"), "opened_at"),
    (gettext_lazy("Nhận xử lý lúc"), "acknowledged_at"),
    (gettext_lazy("Phân loại lúc"), "classified_at"),
    (gettext_lazy("Trả lời đầu tiên lúc"), "first_response_at"),
    (gettext_lazy("Quyết định lúc"), "decided_at"),
    (gettext_lazy("Kết thúc lúc"), "closed_at"),
]
MAX_ROWS = 50_000


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must never start as a formula.
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def _label(choices: list[tuple[str, Any]], value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _yes(flag: bool) -> str:
    return _("Có") if flag else _("Không")


def _rows(qs: QuerySet[Case]) -> Iterable[list[str]]:
    rows = qs.select_related("unit", "received_by_unit", "channel_account").order_by(
        "opened_at", "id"
    )[:MAX_ROWS]
    for c in rows:
        yield [
            _cell(v)
            for v in (
                c.code,
                c.unit.code,
                c.unit.name,
                c.received_by_unit.code if c.received_by_unit else "",
                _label(Provider.choices, c.channel_account.provider) if c.channel_account else "",
                _label(Intent.choices, c.intent),
                _label(Category.choices, c.category),
                _label(Urgency.choices, c.urgency),
                _label(Status.choices, c.status),
                _label(Outcome.choices, c.outcome),
                _yes(c.is_protected),
                _yes(c.is_anonymous),
                _yes(c.secrecy_requested),
                _when(c.opened_at),
                _when(c.acknowledged_at),
                _when(c.classified_at),
                _when(c.first_response_at),
                _when(c.decided_at),
                _when(c.closed_at),
            )
        ]


@transaction.atomic
def cases_export_csv(
    *,
    user: User,
    unit: Unit,
    filters: listing.Filters | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """The CSV document (UTF-8 with BOM, for spreadsheet programs) of a unit's subtree, with
    the case list's filters and search when the export was asked for from the list."""

    if not can_export(user, unit):
        raise VaultError(_("Bạn không có quyền xuất dữ liệu của đơn vị này."))
    f = filters or listing.Filters(status="all")
    qs = listing.apply(
        Case.objects.filter(unit__path__startswith=unit.path), replace(f, unit=""), user
    )
    if f.q:
        hits, text = search.search(qs, f.q)
        qs = qs.filter(Q(pk__in=hits) | Q(pk__in=text.values("pk")))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(header) for header, _key in COLUMNS])
    count = 0
    for row in _rows(qs):
        writer.writerow(row)
        count += 1
    audit_record(
        action=AuditAction.CASE_EXPORT,
        actor=user,
        target=unit,
        summary=f"Xuất {count} vụ việc của {unit.name} (CSV)",
        details={
            "unit_code": unit.code,
            "rows": count,
            "format": "csv",
            "columns": [key for _header, key in COLUMNS],
            "filters": f.params(),
        },
        request=request,
    )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")

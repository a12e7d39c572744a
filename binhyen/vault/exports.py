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
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases.models import Case
from binhyen.vault.access import can_export
from binhyen.vault.store import VaultError

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.units.models import Unit

COLUMNS = [
    "code",
    "unit_code",
    "unit_name",
    "received_by_unit_code",
    "channel",
    "intent",
    "category",
    "urgency",
    "status",
    "outcome",
    "protected",
    "anonymous",
    "secrecy_requested",
    "opened_at",
    "acknowledged_at",
    "classified_at",
    "first_response_at",
    "decided_at",
    "closed_at",
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


def _rows(unit: Unit) -> Iterable[list[str]]:

    qs = (
        Case.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "received_by_unit", "channel_account")
        .order_by("opened_at", "id")
    )[:MAX_ROWS]
    for c in qs:
        yield [
            _cell(v)
            for v in (
                c.code,
                c.unit.code,
                c.unit.name,
                c.received_by_unit.code if c.received_by_unit else "",
                c.channel_account.provider if c.channel_account else "",
                c.intent,
                c.category,
                c.urgency,
                c.status,
                c.outcome,
                "1" if c.is_protected else "0",
                "1" if c.is_anonymous else "0",
                "1" if c.secrecy_requested else "0",
                _when(c.opened_at),
                _when(c.acknowledged_at),
                _when(c.classified_at),
                _when(c.first_response_at),
                _when(c.decided_at),
                _when(c.closed_at),
            )
        ]


@transaction.atomic
def cases_export_csv(*, user: User, unit: Unit, request: HttpRequest | None = None) -> bytes:
    """The CSV document (UTF-8 with BOM, for spreadsheet programs) of a unit's subtree."""

    if not can_export(user, unit):
        raise VaultError(_("Bạn không có quyền xuất dữ liệu của đơn vị này."))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(unit):
        writer.writerow(row)
        count += 1
    audit_record(
        action=AuditAction.CASE_EXPORT,
        actor=user,
        target=unit,
        summary=f"Xuất {count} vụ việc của {unit.name} (CSV)",
        details={"unit_code": unit.code, "rows": count, "format": "csv", "columns": COLUMNS},
        request=request,
    )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")

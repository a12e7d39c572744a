"""Making, storing and announcing reports: every Monday morning for last week, and on demand.

Exactly one report per unit and period: rows are created with the unique constraint
(`bulk_create(ignore_conflicts=True)`), and a worker renders a row only after claiming it
with a compare-and-set UPDATE (`pending`, or `running` with an expired lease). Two workers
never render the same report; a worker that dies mid-way leaves a lease that expires, and
the next run picks the report up again (resumable).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhyen import live
from binhyen.accounts.models import Role, User
from binhyen.cases.services import enqueue
from binhyen.duty.services import messenger_notify
from binhyen.lib.clocks import VN_TZ
from binhyen.monitoring import charts, mapdata
from binhyen.monitoring.models import Report
from binhyen.monitoring.periods import Period, last_complete_week, local_date, parse_period
from binhyen.monitoring.reportdata import ReportBook, build_book, report_units
from binhyen.units.models import Unit

log = logging.getLogger("binhyen.monitoring")

# Monday from 06:00 Vietnam time the previous week's reports are made.
WEEKLY_AFTER = dtime(6, 0)
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def file_name(unit: Unit, period: Period, ext: str) -> str:
    return f"bao-cao-{unit.code}-{period.label}.{ext}"


def map_png(book: ReportBook, unit: Unit) -> bytes | None:
    """The province's report carries the map of its communes (tips per 100 km²)."""
    if unit.kind != Unit.Kind.PROVINCE:
        return None
    cells = mapdata.cells_with(book.table, "tips_density", province=unit.code)
    if not cells:
        return None
    shapes = [(c.polygon, c.value) for c in cells]
    return charts.province_map(
        shapes, "Tin báo trên 100 km² theo xã, phường (ô gần đúng quanh tâm xã)", "tin / 100 km²"
    )


def render_files(book: ReportBook, unit: Unit) -> tuple[bytes, bytes]:
    # deferred: reportlab and openpyxl only in the process that renders, not in every one
    from binhyen.monitoring import pdf, xlsx

    return xlsx.workbook(book, unit), pdf.render(book, unit, map_png=map_png(book, unit))


def write_all(
    period: Period, out: Path, *, as_of: datetime | None = None, echo: Callable[[str], None] = print
) -> list[Path]:
    """The CLI: every unit's XLSX and PDF for the period into `out`, one line per file."""
    out.mkdir(parents=True, exist_ok=True)
    book = build_book(period, as_of or timezone.now())
    written = []
    for unit in report_units(book):
        xlsx_bytes, pdf_bytes = render_files(book, unit)
        for ext, data in (("xlsx", xlsx_bytes), ("pdf", pdf_bytes)):
            path = out / file_name(unit, period, ext)
            path.write_bytes(data)
            echo(f"{path}\t{unit.code}\t{unit.name}\t{len(data)} bytes")
            written.append(path)
    return written


# --- stored reports ---------------------------------------------------------------------------


def reports_ensure(period: Period, *, scheduled: bool) -> int:
    """One row per active unit for the period (idempotent: the unique constraint decides)."""
    units = Unit.objects.filter(is_active=True)
    rows = [
        Report(
            unit=u,
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            scheduled=scheduled,
        )
        for u in units
    ]
    Report.objects.bulk_create(rows, ignore_conflicts=True)
    return Report.objects.filter(period_start=period.start, period_end=period.end).count()


def report_request(*, unit: Unit, period: Period, user: User | None) -> Report:
    """On demand: the unit's report for any period (made by the reports lane)."""
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            unit=unit,
            period_start=period.start,
            period_end=period.end,
            defaults={"period_label": period.label, "requested_by": user},
        )
        if not created and report.state == Report.State.FAILED:
            Report.objects.filter(pk=report.pk).update(
                state=Report.State.PENDING, attempts=0, error="", progress=0
            )
        if report.state != Report.State.DONE:
            enqueue("binhyen.monitoring.tasks.render_reports", period.label)
    report.refresh_from_db()
    return report


def _claim(period: Period, worker: str, now: datetime) -> Report | None:
    """Take one report of the period to render; None when none is left to take."""
    claimable = Q(state=Report.State.PENDING) | Q(state=Report.State.RUNNING, claimed_until__lt=now)
    candidates = (
        Report.objects.filter(
            claimable, period_start=period.start, period_end=period.end, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("unit__path")
        .values_list("pk", "attempts")[:20]
    )
    for pk, attempts in candidates:
        taken = Report.objects.filter(claimable, pk=pk, attempts=attempts).update(
            state=Report.State.RUNNING,
            claimed_by=worker[:100],
            claimed_until=now + LEASE,
            attempts=attempts + 1,
            progress=5,
        )
        if taken:
            return Report.objects.select_related("unit").get(pk=pk)
    return None


def render_pending(
    period: Period,
    *,
    worker: str,
    budget_seconds: float = 240.0,
    now: Callable[[], datetime] = timezone.now,
) -> int:
    """Claim and render the period's pending reports until none is left or the time budget
    is spent; returns how many were finished. Figures are computed once for the batch."""
    started = time.monotonic()
    book: ReportBook | None = None
    done = 0
    while time.monotonic() - started < budget_seconds:
        report = _claim(period, worker, now())
        if report is None:
            break
        try:
            if book is None:
                Report.objects.filter(pk=report.pk).update(progress=20)
                book = build_book(period, now())
            Report.objects.filter(pk=report.pk).update(progress=60)
            xlsx_bytes, pdf_bytes = render_files(book, report.unit)
            report.xlsx.save(
                file_name(report.unit, period, "xlsx"), ContentFile(xlsx_bytes), save=False
            )
            report.pdf.save(
                file_name(report.unit, period, "pdf"), ContentFile(pdf_bytes), save=False
            )
            report.state = Report.State.DONE
            report.progress = 100
            report.finished_at = now()
            report.error = ""
            report.save(update_fields=["xlsx", "pdf", "state", "progress", "finished_at", "error"])
            done += 1
            announce(report)
        except Exception as exc:
            log.exception("report %s failed", report.pk)
            failed = report.attempts >= MAX_ATTEMPTS
            Report.objects.filter(pk=report.pk).update(
                state=Report.State.FAILED if failed else Report.State.PENDING,
                error=f"{type(exc).__name__}: {exc}"[:300],
                claimed_until=None,
            )
    return done


def announce(report: Report) -> None:
    """Tell the unit's commanders their report is ready (console and their own Zalo)."""
    if report.announced_at is not None:
        return
    if not Report.objects.filter(pk=report.pk, announced_at__isnull=True).update(
        announced_at=timezone.now()
    ):
        return  # another worker announced it
    text = (
        f"Báo cáo {report.period_label} của {report.unit.name} đã sẵn sàng trên BinhYen "
        "(Giám sát › Báo cáo)."
    )
    for commander in User.objects.filter(
        memberships__unit=report.unit, memberships__role=Role.COMMANDER, is_active=True
    ).distinct():
        messenger_notify(user=commander, text=text)
    live.publish(
        unit_path=report.unit.path,
        kind="monitoring.report",
        payload={"unit": report.unit.name, "period": report.period_label},
        roles={Role.COMMANDER, Role.COMMAND},
    )


def weekly_due_period(now: datetime) -> Period | None:
    """Last week, once this week's Monday 06:00 (Vietnam time) has passed."""
    local = now.astimezone(VN_TZ)
    if local.weekday() == 0 and local.time() < WEEKLY_AFTER:
        return None
    return last_complete_week(now)


def weekly_reports_due(now: datetime | None = None) -> int:
    """Periodic job (every worker, every tick): make sure last week's rows exist and a task
    renders whatever is still pending. Cheap when everything is done."""
    now = now or timezone.now()
    period = weekly_due_period(now)
    if period is None:
        return 0
    existing = Report.objects.filter(period_start=period.start, period_end=period.end)
    if existing.count() < Unit.objects.filter(is_active=True).count():
        reports_ensure(period, scheduled=True)
    waiting = existing.filter(
        Q(state=Report.State.PENDING) | Q(state=Report.State.RUNNING, claimed_until__lt=now),
        attempts__lt=MAX_ATTEMPTS,
    ).exists()
    if waiting and not _task_queued(period.label):
        enqueue("binhyen.monitoring.tasks.render_reports", period.label)
        return 1
    return 0


def _task_queued(label: str) -> bool:
    queued = DBTaskResult.objects.filter(
        task_path="binhyen.monitoring.tasks.render_reports", status__in=["READY", "RUNNING"]
    ).values_list("args_kwargs", flat=True)
    return any((a or {}).get("args") == [label] for a in queued)


def pending_left(period: Period) -> bool:
    return Report.objects.filter(
        period_start=period.start,
        period_end=period.end,
        state__in=[Report.State.PENDING],
        attempts__lt=MAX_ATTEMPTS,
    ).exists()


def period_of(label: str) -> Period:
    return parse_period(label)


def local_day(at: datetime) -> str:
    return f"{local_date(at):%d/%m/%Y}"

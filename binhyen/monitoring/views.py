"""Monitoring pages: the league table, a unit's figures, the cases behind a figure, reminders
and award nominations. Every page is filtered by the user's unit subtree."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binhyen.accounts.access import home_unit, visible_units
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.accounts.models import User
from binhyen.cases.access import cases_for_user
from binhyen.cases.models import Category, Intent, Outcome, Urgency
from binhyen.monitoring import charts, kpis, mapdata, reports, scoring, services
from binhyen.monitoring.access import can_acknowledge, can_command, get_unit_for_user
from binhyen.monitoring.models import AwardNomination, Reminder, Report
from binhyen.monitoring.periods import Period, PeriodError, last_complete_week, parse_period
from binhyen.monitoring.words import duration_vi, num_vi, pct_vi
from binhyen.units.models import Unit

CLOCK_LABELS = {
    "clock.operational": "Tất cả thời hạn nghiệp vụ",
    "clock.legal": "Tất cả thời hạn pháp lý",
    "clock.rule.first_ack_critical": "Nhận xử lý tin khẩn cấp (5 phút)",
    "clock.rule.first_ack_high": "Nhận xử lý tin mức cao (30 phút)",
    "clock.rule.first_ack_normal": "Nhận xử lý tin thường (24 giờ)",
    "clock.rule.classify": "Phân loại (24 giờ)",
    "clock.rule.transfer": "Chuyển cơ quan có thẩm quyền (24 giờ)",
    "clock.rule.commune_check": "Công an xã kiểm tra ban đầu (7 ngày)",
    "clock.rule.receipt_notice": "Thông báo tiếp nhận (3 ngày làm việc)",
    "clock.rule.resolve": "Giải quyết (20 ngày)",
    "clock.rule.result_notice": "Thông báo kết quả (3 ngày)",
}

KINDS = [
    (Unit.Kind.COMMUNE, "Công an xã, phường"),
    (Unit.Kind.DEPARTMENT, "Phòng nghiệp vụ"),
    (Unit.Kind.PROVINCE, "Công an tỉnh"),
]


def _period(request: HttpRequest) -> Period:
    raw = request.GET.get("ky") or request.POST.get("ky") or ""
    if not raw:
        return last_complete_week(timezone.now())
    try:
        return parse_period(raw)
    except PeriodError as exc:
        raise _BadPeriod(str(exc)) from exc


class _BadPeriod(Exception):
    pass


def _bad_period(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(request, "monitoring/bad_period.html", {"error": str(exc)}, status=400)


def _root_units(user: Any) -> list[Unit]:
    """The top units of the user's subtrees."""
    units = list(visible_units(user).order_by("path"))
    roots: list[Unit] = []
    for unit in units:
        if not any(unit.path.startswith(r.path) for r in roots):
            roots.append(unit)
    return roots


@login_required
def league(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    kind = request.GET.get("cap", Unit.Kind.COMMUNE)
    if kind not in dict(KINDS):
        kind = Unit.Kind.COMMUNE
    roots = _root_units(request.user)
    if not roots:
        raise PermissionDenied
    result = scoring.league(period, timezone.now(), kind=kind)
    visible = {u.pk for u in visible_units(request.user).only("pk")}
    rows = [r for r in result.rows if r.unit.pk in visible]
    commander_of = {r.unit.pk for r in rows if can_command(request.user, r.unit)}
    return render(
        request,
        "monitoring/league.html",
        {
            "league": result,
            "rows": rows,
            "period": period,
            "kind": kind,
            "kinds": KINDS,
            "components": scoring.COMPONENTS,
            "commander_of": commander_of,
            "open_reminders": services.reminders_open_for(roots),
            "can_ack": {
                r.pk
                for r in services.reminders_open_for(roots)
                if can_acknowledge(request.user, r.unit)
            },
        },
    )


@login_required
def unit_figures(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    table = kpis.compute_table(period, timezone.now())
    fig = table.of(unit)
    children = [
        (u, table.of(u))
        for u in sorted(table.units.values(), key=lambda u: u.path)
        if u.parent_id == unit.pk
    ]
    parts = scoring.components(fig)
    weights, thresholds = scoring.current_settings()
    value = scoring.score(fig, weights, thresholds["min_due"])
    flags = scoring.flags_for(
        fig, score_value=value, earlier=[], thresholds=thresholds, inactive=False
    )
    tiles = [
        ("điểm xếp hạng", num_vi(value, 1), ""),
        ("tin tiếp nhận", str(fig["received"]), "received"),
        ("nhận xử lý (trung vị)", duration_vi(fig.percentile("ack", 0.5)), "ack"),
        ("nhận xử lý (90%)", duration_vi(fig.percentile("ack", 0.9)), "ack"),
        ("trả lời lần đầu (trung vị)", duration_vi(fig.percentile("answer", 0.5)), "answer"),
        ("đúng hạn nghiệp vụ", pct_vi(parts["ack_in_time"]), "clock.operational.due"),
        ("đúng hạn pháp lý", pct_vi(parts["legal_in_time"]), "clock.legal.due"),
        ("quá hạn cuối kỳ", str(fig["overdue_end"]), "overdue_end"),
    ]
    clocks = []
    for key in sorted(k[: -len(".due")] for k in fig.counts if k.endswith(".due")):
        due, in_time = fig[f"{key}.due"], fig[f"{key}.in_time"]
        label = CLOCK_LABELS.get(key, key.rsplit(".", 1)[-1])
        clocks.append((label, key, due, in_time, in_time / due if due else None))
    return render(
        request,
        "monitoring/unit.html",
        {
            "unit": unit,
            "period": period,
            "fig": fig,
            "tiles": tiles,
            "clocks": clocks,
            "satisfaction_mean": fig.satisfaction_mean(),
            "items": sorted(fig.items.items()),
            "reminder_text": "; ".join(flags),
            "children": children,
            "sections": _sections(fig),
            "reminders": Reminder.objects.filter(unit=unit).select_related(
                "sent_by", "acknowledged_by"
            )[:20],
            "can_command": can_command(request.user, unit),
            "can_acknowledge": can_acknowledge(request.user, unit),
            "officers": User.objects.filter(
                memberships__unit__path__startswith=unit.path, is_active=True
            )
            .distinct()
            .order_by("full_name")[:200],
        },
    )


def _sections(fig: kpis.Figures) -> list[tuple[str, list[tuple[str, str, Any]]]]:
    """(section title, [(label, figure key or "", value)]) in reading order."""

    def counts(prefix: str, labels: dict[str, str]) -> list[tuple[str, str, Any]]:
        return [
            (label, f"{prefix}.{code}", fig[f"{prefix}.{code}"])
            for code, label in labels.items()
            if fig[f"{prefix}.{code}"]
        ]

    channels = {"zalo": "Zalo", "web": "Biểu mẫu web", "api": "API", "other": "Khác"}
    received = [("Tổng số", "received", fig["received"])]
    received += counts("received.channel", channels)
    received += counts("received.intent", {k: str(v) for k, v in Intent.choices})
    received += counts("received.category", {k: str(v) for k, v in Category.choices})
    received += counts("received.urgency", {k: str(v) for k, v in Urgency.choices})
    received.append(("Tin trùng đã gộp", "received.duplicates", fig["received.duplicates"]))
    decided = [
        ("Tổng số có kết quả", "decided", fig["decided"]),
        ("Chuyển Cơ quan điều tra", "decided.handed_over", fig["decided.handed_over"]),
        ("Chuyển cơ quan có thẩm quyền", "decided.transferred", fig["decided.transferred"]),
        ("Đã trả lời", "decided.answered", fig["decided.answered"]),
        ("Đã đóng", "decided.closed", fig["decided.closed"]),
        ("Gộp vào tin khác", "decided.merged", fig["decided.merged"]),
    ]
    decided += counts("decided.resolved", {k: str(v) for k, v in Outcome.choices})
    decided.append(("Mở lại", "reopened", fig["reopened"]))
    return [
        ("Tiếp nhận", received),
        ("Kết quả", decided),
        (
            "Kết quả xử lý tại hiện trường",
            [
                ("Số người bị bắt giữ", "detained", fig["detained"]),
                ("Số phương tiện thu giữ", "vehicles_seized", fig["vehicles_seized"]),
            ],
        ),
        (
            "Tồn đọng cuối kỳ",
            [
                ("Đang mở", "open_end", fig["open_end"]),
                ("Quá hạn", "overdue_end", fig["overdue_end"]),
                ("Quá hạn phân loại", "classify_overdue_end", fig["classify_overdue_end"]),
            ],
        ),
    ]


@login_required
def figure_cases(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The cases behind one figure: only those the user may see, never who reported them."""
    unit = get_unit_for_user(request.user, code)
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    key = request.GET.get("chi-so", "")[:80]
    label = kpis.figure_label(key)
    qs = kpis.figure_cases(key, period, timezone.now())
    if qs is None or label is None:
        raise Http404("Không có chỉ số này")
    qs = kpis.restrict_to_subtree(qs, key, unit)
    qs = qs.filter(pk__in=cases_for_user(request.user).values("pk"))
    qs = qs.select_related("unit").only(
        "code", "intent", "category", "urgency", "status", "opened_at", "closed_at", "unit__name"
    )
    page = Paginator(qs.order_by("-opened_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/cases.html",
        {"unit": unit, "period": period, "key": key, "label": label, "page": page},
    )


# --- reminders and awards ---------------------------------------------------------------------


def _row_for(unit: Unit, period: Period) -> scoring.Row | None:
    result = scoring.league(period, timezone.now(), kind=unit.kind, history_weeks=1)
    return next((r for r in result.rows if r.unit.pk == unit.pk), None)


@login_required
@require_POST
def reminder_send(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    if not can_command(request.user, unit):
        raise PermissionDenied
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    row = _row_for(unit, period)
    try:
        services.reminder_send(
            unit=unit,
            actor=request.user,
            period=period,
            text=request.POST.get("text", ""),
            reasons=row.flags if row else [],
            figures=scoring.row_summary(row) if row else {},
        )
    except services.MonitoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã gửi nhắc nhở tới %(u)s.") % {"u": unit.name})
    return redirect(f"{request.POST.get('next') or '/giam-sat/'}")


@login_required
@require_POST
def reminder_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder.objects.select_related("unit"), pk=pk)
    get_unit_for_user(request.user, reminder.unit.code)
    if not can_acknowledge(request.user, reminder.unit):
        raise PermissionDenied
    try:
        services.reminder_acknowledge(
            reminder=reminder,
            actor=request.user,
            response=request.POST.get("response", ""),
        )
    except services.MonitoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã xác nhận nhắc nhở."))
    return redirect("monitoring:unit", code=reminder.unit.code)


@login_required
@require_POST
def award_nominate(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    if not can_command(request.user, unit):
        raise PermissionDenied
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    officer = None
    officer_id = request.POST.get("officer", "")
    if officer_id:
        if not officer_id.isdigit():
            return _bad_period(request, ValueError(_("Cán bộ không hợp lệ.")))
        officer = User.objects.filter(pk=int(officer_id)).first()
    row = _row_for(unit, period)
    figures = scoring.row_summary(row) if row else {}
    if officer is not None:
        figures["officer"] = services.officer_figures(officer, period)
    try:
        services.award_nominate(
            unit=unit,
            actor=request.user,
            period=period,
            reason=request.POST.get("reason", ""),
            figures=figures,
            officer=officer,
        )
    except services.MonitoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ghi đề nghị khen thưởng."))
    return redirect(f"{request.POST.get('next') or '/giam-sat/'}")


def _awards(request: HttpRequest, period: Period) -> list[AwardNomination]:
    units = visible_units(request.user).values("pk")
    return list(
        AwardNomination.objects.filter(
            unit__in=units,
            withdrawn_at__isnull=True,
            period_start__gte=period.start,
            period_end__lte=period.end,
        )
        .select_related("unit", "officer", "nominated_by")
        .order_by("unit__path", "nominated_at")
    )


@login_required
def awards(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    rows = _awards(request, period)
    if request.GET.get("xuat") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="khen-thuong-{period.label}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            ["Kỳ", "Đơn vị", "Mã đơn vị", "Cán bộ", "Thành tích", "Điểm", "Hạng", "Đề nghị bởi"]
        )
        for a in rows:
            writer.writerow(
                [
                    a.period_label,
                    a.unit.name,
                    a.unit.code,
                    str(a.officer) if a.officer else "",
                    a.reason,
                    a.figures.get("score", ""),
                    a.figures.get("rank", ""),
                    str(a.nominated_by) if a.nominated_by else "",
                ]
            )
        return response
    return render(
        request,
        "monitoring/awards.html",
        {"period": period, "rows": rows, "home": home_unit(request.user)},
    )


# --- reports ----------------------------------------------------------------------------------


@login_required
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = visible_units(request.user)
    rows = (
        Report.objects.filter(unit__in=units.values("pk"))
        .select_related("unit")
        .order_by("-period_start", "unit__path")
    )
    page = Paginator(rows, 60).get_page(request.GET.get("page"))
    working = any(r.state in (Report.State.PENDING, Report.State.RUNNING) for r in page)
    return render(
        request,
        "monitoring/reports.html",
        {
            "page": page,
            "units": units.filter(is_active=True).order_by("path"),
            "default_period": last_complete_week(timezone.now()).label,
            "working": working,
        },
    )


@login_required
@require_POST
def report_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit = get_unit_for_user(request.user, request.POST.get("unit", ""))
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    reports.report_request(unit=unit, period=period, user=request.user)
    messages.success(
        request, _("Đang lập báo cáo %(p)s của %(u)s.") % {"p": period.label, "u": unit.name}
    )
    return redirect("monitoring:reports")


@login_required
def report_download(request: AuthenticatedHttpRequest, pk: int, ext: str) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("unit"), pk=pk)
    get_unit_for_user(request.user, report.unit.code)
    field = report.xlsx if ext == "xlsx" else report.pdf
    if report.state != Report.State.DONE or not field:
        raise Http404("Báo cáo chưa sẵn sàng")
    name = reports.file_name(report.unit, parse_period(report.period_label), ext)
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


# --- map and trend charts ---------------------------------------------------------------------


@login_required
def province_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    key = request.GET.get("chi-so", "tips_density")
    if key not in mapdata.MAP_FIGURES:
        key = "tips_density"
    category = request.GET.get("linh-vuc", "all")
    if category != "all" and category not in Category.values:
        category = "all"
    roots = _root_units(request.user)
    if not roots:
        raise PermissionDenied
    province = roots[0].path.strip("/").split("/")[0]
    table = kpis.compute_table(period, timezone.now())
    visible = set(visible_units(request.user).values_list("pk", flat=True))
    cells = mapdata.cells_with(table, key, province=province, visible=visible)
    ids = [c.unit.pk for c in cells if c.unit is not None and c.visible]
    drawing = mapdata.svg_map(
        cells,
        province=province,
        pins=mapdata.tips_by_category(period, ids),
        category=category,
        points=mapdata.sent_locations(period, ids),
    )
    ranked = sorted((c for c in cells if c.value is not None), key=lambda c: -(c.value or 0))
    return render(
        request,
        "monitoring/map.html",
        {
            "period": period,
            "key": key,
            "figures": mapdata.MAP_FIGURES,
            "label": mapdata.MAP_FIGURES[key],
            "category": category,
            "categories": Category.choices,
            "map": drawing,
            "ranked": ranked[:15],
            "root": roots[0],
        },
    )


CHARTS = {
    "kenh": ("Tin tiếp nhận theo kênh", charts.trend_received),
    "linh-vuc": ("Tin báo theo lĩnh vực", charts.category_trend),
    "phan-hoi": ("Thời gian nhận xử lý (giờ)", charts.response_trend),
}


@login_required
def trend_chart(request: AuthenticatedHttpRequest, code: str, name: str) -> HttpResponse:
    """A trend chart (PNG) of the unit's subtree over the eight periods up to `ky`."""
    unit = get_unit_for_user(request.user, code)
    if name not in CHARTS:
        raise Http404("Không có biểu đồ này")
    try:
        period = _period(request)
    except _BadPeriod as exc:
        return _bad_period(request, exc)
    title, draw = CHARTS[name]
    tables = scoring.tables_for(period, timezone.now(), 8)
    trend = [(t.period, t.of(unit)) for t in reversed(tables)]
    response = HttpResponse(draw(trend, f"{title} — {unit.name}"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
